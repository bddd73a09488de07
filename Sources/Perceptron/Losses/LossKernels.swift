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
        switch loss {
        case .crossEntropy:
            let scale = 1 / T(rows)
            for r in 0..<rows {
                let z = yp + r * columns
                // Stable log-sum-exp: lse = m + log Σ e^(z − m), m = max z; every exponent ≤ 0.
                var m = z[0]
                var best = 0
                for j in 1..<columns where z[j] > m {
                    m = z[j]
                    best = j
                }
                var sum: T = 0
                for j in 0..<columns { sum += T.exp(z[j] - m) }
                let lse = m + T.log(sum)
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
}
