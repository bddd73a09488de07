/// The buffer-level losses the network's hot path calls: loss, gradient and the number of
/// correct predictions in one pass per row. No allocation, no shape checks.
enum LossKernels {
    /// The batch loss (mean as PyTorch), dL/d(output) written into `gradient` when given
    /// (overwriting it), and the number of correct predictions out of `total` (argmax for the
    /// cross-entropies, `z > 0 ⇔ t > 0.5` per element for bce, none for mse).
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    static func evaluate<T: Scalar>(
        _ loss: Loss, output y: UnsafeBufferPointer<T>, targets: TargetView<T>,
        gradient: UnsafeMutableBufferPointer<T>?, rows: Int, columns: Int
    ) -> (loss: T, correct: Int, total: Int) {
        guard rows > 0, columns > 0, let yp = y.baseAddress else { return (0, 0, 0) }
        let gp = gradient?.baseAddress
        var total: T = 0
        var correct = 0
        switch loss.kind {
        case .crossEntropy:
            if loss.hasOptions {
                return crossEntropyWithOptions(
                    loss, output: yp, targets: targets, gradient: gp, rows: rows, columns: columns)
            }
            let scale = 1 / T(rows)
            for r in 0..<rows {
                let z = yp + r * columns
                let (lse, best) = logSumExp(z, columns: columns)
                switch targets {
                case .classes(let c):
                    let label = c[r]
                    total += lse - z[label]
                    if best == label { correct += 1 }
                    if let gp {
                        // dL/dz_j = (softmax_j − δ_j,label)/N
                        let g = gp + r * columns
                        for j in 0..<columns { g[j] = T.exp(z[j] - lse) * scale }
                        g[label] -= scale
                    }
                case .rows(let t, _):
                    let tr = t.baseAddress! + r * columns
                    var mass: T = 0
                    var targetBest = 0
                    // −Σ t_j (z_j − lse); a zero t_j contributes exactly 0 even for z_j = −1e4.
                    for j in 0..<columns {
                        mass += tr[j]
                        if tr[j] != 0 { total += tr[j] * (lse - z[j]) }
                        if tr[j] > tr[targetBest] { targetBest = j }
                    }
                    if best == targetBest { correct += 1 }
                    if let gp {
                        // dL/dz_k = Σ_j t_j(softmax_k − δ_jk)/N = (softmax_k·Σt − t_k)/N
                        let g = gp + r * columns
                        for j in 0..<columns { g[j] = (T.exp(z[j] - lse) * mass - tr[j]) * scale }
                    }
                }
            }
            return (total * scale, correct, rows)
        case .categoricalCrossEntropy:
            let scale = 1 / T(rows)
            for r in 0..<rows {
                let p = yp + r * columns
                var best = 0
                for j in 1..<columns where p[j] > p[best] { best = j }
                let g = gp.map { $0 + r * columns }
                if let g { for j in 0..<columns { g[j] = 0 } }
                switch targets {
                case .classes(let c):
                    let label = c[r]
                    total -= T.log(p[label])
                    if best == label { correct += 1 }
                    // dL/dy_label = −1/(N·y_label)
                    g?[label] = -scale / p[label]
                case .rows(let t, _):
                    let tr = t.baseAddress! + r * columns
                    var targetBest = 0
                    for j in 0..<columns where tr[j] != 0 {
                        total -= tr[j] * T.log(p[j])
                        g?[j] = -scale * tr[j] / p[j]
                        if tr[j] > tr[targetBest] { targetBest = j }
                    }
                    if best == targetBest { correct += 1 }
                }
            }
            return (total * scale, correct, rows)
        case .mse:
            guard case .rows(let t, _) = targets, let tp = t.baseAddress else { return (.nan, 0, 0) }
            let n = rows * columns
            let scale = 1 / T(n)
            let twice = 2 * scale
            for i in 0..<n {
                let d = yp[i] - tp[i]
                total += d * d
                gp?[i] = twice * d
            }
            return (total * scale, 0, 0)
        case .bce:
            guard case .rows(let t, _) = targets, let tp = t.baseAddress else { return (.nan, 0, 0) }
            let n = rows * columns
            let scale = 1 / T(n)
            for i in 0..<n {
                let z = yp[i]
                let target = tp[i]
                // max(z, 0) − z·t + log(1 + e^(−|z|)): no exponent is positive.
                total += (z > 0 ? z : 0) - z * target + T.log(onePlus: T.exp(-abs(z)))
                if (z > 0) == (target > 0.5) { correct += 1 }
                gp?[i] = (ActivationKernels.sigmoid(z) - target) * scale
            }
            return (total * scale, correct, n)
        }
    }

    /// Cross-entropy with label smoothing `ε` and class weights `w` (all 1 when absent), as
    /// PyTorch's `nn.CrossEntropyLoss(weight:label_smoothing:)` (formulas at
    /// ``Loss/labelSmoothing`` and ``Loss/classWeights``): the loss, dL/dz written into
    /// `gradient` when given (overwriting it), and the argmax matches.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    static func crossEntropyWithOptions<T: Scalar>(
        _ loss: Loss, output yp: UnsafePointer<T>, targets: TargetView<T>, gradient gp: UnsafeMutablePointer<T>?,
        rows: Int, columns: Int
    ) -> (loss: T, correct: Int, total: Int) {
        let weights = loss.classWeights
        func weight(_ j: Int) -> T {
            if let weights { T(weights[j]) } else { 1 }
        }
        let smoothing = T(loss.labelSmoothing)
        let keep = 1 - smoothing
        let share = smoothing / T(columns)
        var weightSum: T = 0
        for j in 0..<columns { weightSum += weight(j) }
        var total: T = 0
        var correct = 0
        switch targets {
        case .classes(let c):
            // PyTorch divides by the weights of the targets' classes, Σ_i w_(y_i) (N unweighted).
            var normalizer: T = 0
            for r in 0..<rows { normalizer += weight(c[r]) }
            let scale = 1 / normalizer
            for r in 0..<rows {
                let z = yp + r * columns
                let (lse, best) = logSumExp(z, columns: columns)
                let label = c[r]
                let w = weight(label)
                if best == label { correct += 1 }
                // (1 − ε)·w_y·(lse − z_y) + (ε/C)·Σ_j w_j·(lse − z_j)
                var smooth: T = 0
                if smoothing != 0 { for j in 0..<columns { smooth += weight(j) * (lse - z[j]) } }
                total += keep * w * (lse - z[label]) + share * smooth
                if let gp {
                    // dL/dz_k = [(1 − ε)·w_y·(p_k − δ_ky) + (ε/C)·(p_k·Σ_j w_j − w_k)] / Σ_i w_(y_i)
                    let g = gp + r * columns
                    for j in 0..<columns {
                        let p = T.exp(z[j] - lse)
                        g[j] = (keep * w * p + share * (p * weightSum - weight(j))) * scale
                    }
                    g[label] -= keep * w * scale
                }
            }
            return (total * scale, correct, rows)
        case .rows(let t, _):
            let scale = 1 / T(rows)
            for r in 0..<rows {
                let z = yp + r * columns
                let tr = t.baseAddress! + r * columns
                let (lse, best) = logSumExp(z, columns: columns)
                // u_j = w_j·((1 − ε)·t_j + ε/C); Σ_j u_j·(lse − z_j), a zero u_j contributing exactly 0.
                var mass: T = 0
                var targetBest = 0
                for j in 0..<columns {
                    let u = weight(j) * (keep * tr[j] + share)
                    mass += u
                    if u != 0 { total += u * (lse - z[j]) }
                    if tr[j] > tr[targetBest] { targetBest = j }
                }
                if best == targetBest { correct += 1 }
                if let gp {
                    // dL/dz_k = (p_k·Σ_j u_j − u_k)/N
                    let g = gp + r * columns
                    for j in 0..<columns {
                        g[j] = (T.exp(z[j] - lse) * mass - weight(j) * (keep * tr[j] + share)) * scale
                    }
                }
            }
            return (total * scale, correct, rows)
        }
    }

    /// `lse = m + log Σ_j e^(z_j − m)` with `m = max z` (every exponent ≤ 0), and the argmax.
    @inline(__always)
    static func logSumExp<T: Scalar>(_ z: UnsafePointer<T>, columns: Int) -> (lse: T, argmax: Int) {
        var m = z[0]
        var best = 0
        for j in 1..<columns where z[j] > m {
            m = z[j]
            best = j
        }
        var sum: T = 0
        for j in 0..<columns { sum += T.exp(z[j] - m) }
        return (m + T.log(sum), best)
    }

    /// What the batch mean of `loss` on these `rows` divides by: `Σ_i w_(y_i)` for
    /// cross-entropy with class weights on class indices, `rows` otherwise. Averaging batch
    /// losses weighted by it gives the loss of all the rows at once.
    static func normalizer<T: Scalar>(_ loss: Loss, targets: TargetView<T>, rows: Int) -> Double {
        guard loss.kind == .crossEntropy, let weights = loss.classWeights, case .classes(let c) = targets else {
            return Double(rows)
        }
        var sum: T = 0
        for r in 0..<rows { sum += T(weights[c[r]]) }
        return Double(sum)
    }
}
