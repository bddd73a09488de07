/// The buffer-level activation passes the network's hot path calls. No shape checks, no
/// allocation; every loop is specialised for `Float` and `Double`.
enum ActivationKernels {
    /// `Y = f(Z)` over `[rows, columns]`. `output` may be the same memory as `input`.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    static func forward<T: Scalar>(
        _ activation: Activation, input z: UnsafeBufferPointer<T>, output y: UnsafeMutableBufferPointer<T>,
        rows: Int, columns: Int
    ) {
        let n = rows * columns
        guard n > 0, let zp = z.baseAddress, let yp = y.baseAddress else { return }
        switch activation {
        case .relu:
            // `z < 0 ? 0 : z` lets NaN through, as PyTorch's relu does.
            let zero: T = 0
            for i in 0..<n {
                let v = zp[i]
                yp[i] = v < zero ? zero : v
            }
        case .leakyReLU(let s):
            let slope = T(s)
            let zero: T = 0
            for i in 0..<n {
                let v = zp[i]
                yp[i] = v > zero ? v : v * slope
            }
        case .sigmoid:
            for i in 0..<n { yp[i] = sigmoid(zp[i]) }
        case .silu:
            for i in 0..<n { yp[i] = silu(zp[i]) }
        case .softplus(let beta, let threshold):
            let (b, t) = (T(beta), T(threshold))
            for i in 0..<n { yp[i] = softplus(zp[i], beta: b, threshold: t) }
        case .elu(let alpha):
            let a = T(alpha)
            for i in 0..<n { yp[i] = elu(zp[i], alpha: a) }
        case .tanh:
            for i in 0..<n { yp[i] = T.tanh(zp[i]) }
        case .gelu:
            for i in 0..<n { yp[i] = gelu(zp[i]) }
        case .softmax:
            for r in 0..<rows { softmaxRow(zp + r * columns, yp + r * columns, columns) }
        }
    }

    /// Fused dense epilogue, one pass: `Z = Y + b` (bias broadcast over rows), then `Y ← f(Z)`.
    /// When `preactivation` is given, `Z` is also stored there (GELU's backward needs it).
    /// Without an activation it only adds the bias.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    static func biasActivation<T: Scalar>(
        _ activation: Activation?, values y: UnsafeMutableBufferPointer<T>, bias: UnsafeBufferPointer<T>,
        preactivation: UnsafeMutableBufferPointer<T>?, rows: Int, columns n: Int
    ) {
        guard rows * n > 0, let yp = y.baseAddress, let bp = bias.baseAddress else { return }
        // One loop per activation, each simple enough for the compiler to vectorise (the
        // activation is chosen once, outside the loops).
        switch activation {
        case nil:
            for r in 0..<rows { addBias(yp + r * n, bp, n) }
        case .relu:
            for r in 0..<rows { biasReLU(yp + r * n, bp, n) }
        case .leakyReLU(let s):
            let slope = T(s)
            let zero: T = 0
            biasElementwise(yp, bp, preactivation?.baseAddress, rows, n) { $0 > zero ? $0 : $0 * slope }
        case .silu:
            biasElementwise(yp, bp, preactivation?.baseAddress, rows, n) { silu($0) }
        case .softplus(let beta, let threshold):
            let (b, t) = (T(beta), T(threshold))
            biasElementwise(yp, bp, preactivation?.baseAddress, rows, n) { softplus($0, beta: b, threshold: t) }
        case .elu(let alpha):
            let a = T(alpha)
            biasElementwise(yp, bp, preactivation?.baseAddress, rows, n) { elu($0, alpha: a) }
        case .sigmoid:
            for r in 0..<rows {
                let row = yp + r * n
                for j in 0..<n { row[j] = sigmoid(row[j] + bp[j]) }
            }
        case .tanh:
            for r in 0..<rows {
                let row = yp + r * n
                for j in 0..<n { row[j] = T.tanh(row[j] + bp[j]) }
            }
        case .gelu:
            biasElementwise(yp, bp, preactivation?.baseAddress, rows, n) { gelu($0) }
        case .softmax:
            for r in 0..<rows {
                let row = yp + r * n
                addBias(row, bp, n)
                softmaxRow(UnsafePointer(row), row, n)
            }
        }
    }

    /// `Z = Y + b` row by row, `Z` stored in `z` when given, then `Y ← f(Z)`.
    @inline(__always)
    static func biasElementwise<T: Scalar>(
        _ yp: UnsafeMutablePointer<T>, _ bp: UnsafePointer<T>, _ zp: UnsafeMutablePointer<T>?, _ rows: Int, _ n: Int,
        _ f: (T) -> T
    ) {
        for r in 0..<rows {
            let row = yp + r * n
            for j in 0..<n {
                let v = row[j] + bp[j]
                zp?[r * n + j] = v
                row[j] = f(v)
            }
        }
    }

    /// `y ← y + b` over `n` elements.
    @inline(__always)
    static func addBias<T: Scalar>(_ y: UnsafeMutablePointer<T>, _ b: UnsafePointer<T>, _ n: Int) {
        for j in 0..<n { y[j] += b[j] }
    }

    /// `y ← max(y + b, 0)` over `n` elements; NaN propagates.
    @inline(__always)
    static func biasReLU<T: Scalar>(_ y: UnsafeMutablePointer<T>, _ b: UnsafePointer<T>, _ n: Int) {
        // A named zero, not the literal inside the select: with the literal, the specialised loop
        // keeps a branch and two stores and does not vectorise (6× slower).
        let zero: T = 0
        for j in 0..<n {
            let v = y[j] + b[j]
            y[j] = v < zero ? zero : v
        }
    }

    /// dL/dZ = dL/dY ⊙ f'(Z), overwriting `gradient` (which holds dL/dY on entry) in place.
    ///
    /// The derivative is taken from the saved output where the formula allows: ReLU selects
    /// `dL/dZ = (Y ≤ 0 ? 0 : dL/dY)` (so a non-finite dL/dY at a dead unit gives exactly 0),
    /// LeakyReLU multiplies by 1 or the slope from the sign of `Y` (of `input` for a negative
    /// slope); `σ(1 − σ)`, `1 − tanh²`; GELU, SiLU, softplus and ELU from `input` (see
    /// ``Activation`` for each derivative); softmax by the
    /// Jacobian-vector product `dZ_ik = Σ_j dY_ij S_ij(δ_jk − S_ik) = S_ik(dY_ik − Σ_j dY_ij S_ij)`.
    /// `input` may be empty unless ``Activation/backwardNeedsInput``.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    static func backward<T: Scalar>(
        _ activation: Activation, input z: UnsafeBufferPointer<T>, output y: UnsafeBufferPointer<T>,
        gradient g: UnsafeMutableBufferPointer<T>, rows: Int, columns: Int
    ) {
        let n = rows * columns
        guard n > 0, let yp = y.baseAddress, let gp = g.baseAddress else { return }
        switch activation {
        case .relu:
            // A select, not a multiplication by a 0/1 mask: a NaN or ±∞ upstream at a dead unit
            // gives 0 (0·NaN would be NaN), and a NaN output passes dL/dY through, as PyTorch's
            // threshold_backward does. A named zero keeps the select branch-free (it vectorises).
            let zero: T = 0
            for i in 0..<n {
                let v = gp[i]
                gp[i] = yp[i] <= zero ? zero : v
            }
        case .leakyReLU(let s):
            // The sign of z, read from Y when the slope is not negative (then sign Y = sign z).
            let slope = T(s)
            let (zero, one): (T, T) = (0, 1)
            let sp = s >= 0 ? yp : (z.baseAddress ?? yp)
            for i in 0..<n {
                let factor = sp[i] > zero ? one : slope
                gp[i] *= factor
            }
        case .silu:
            guard let zp = z.baseAddress else { return }
            let one: T = 1
            for i in 0..<n {
                let v = zp[i]
                let s = sigmoid(v)
                gp[i] *= s * (one + v * (one - s))
            }
        case .softplus(let beta, let threshold):
            guard let zp = z.baseAddress else { return }
            let (b, t): (T, T) = (T(beta), T(threshold))
            for i in 0..<n {
                let bz = zp[i] * b
                if !(bz > t) { gp[i] *= sigmoid(bz) }
            }
        case .elu(let alpha):
            guard let zp = z.baseAddress else { return }
            let a = T(alpha)
            let zero: T = 0
            for i in 0..<n {
                let v = zp[i]
                if !(v > zero) { gp[i] *= a * T.exp(v) }
            }
        case .sigmoid:
            let one: T = 1
            for i in 0..<n {
                let s = yp[i]
                gp[i] *= s * (one - s)
            }
        case .tanh:
            let one: T = 1
            for i in 0..<n {
                let t = yp[i]
                gp[i] *= one - t * t
            }
        case .gelu:
            guard let zp = z.baseAddress else { return }
            for i in 0..<n { gp[i] *= geluDerivative(zp[i]) }
        case .softmax:
            for r in 0..<rows {
                let s = yp + r * columns
                let d = gp + r * columns
                var dot: T = 0
                for j in 0..<columns { dot += d[j] * s[j] }
                for k in 0..<columns { d[k] = s[k] * (d[k] - dot) }
            }
        }
    }

    /// `σ(x)`, stable for large `|x|`: `1/(1 + e^(−x))` for `x ≥ 0`, `e^x/(1 + e^x)` otherwise.
    @inline(__always)
    static func sigmoid<T: Scalar>(_ x: T) -> T {
        if x >= 0 { return 1 / (1 + T.exp(-x)) }
        let e = T.exp(x)
        return e / (1 + e)
    }

    /// `z·σ(z)`.
    @inline(__always)
    static func silu<T: Scalar>(_ z: T) -> T { z * sigmoid(z) }

    /// `log(1 + e^(β·z))/β`, or `z` where `β·z > threshold` (PyTorch's linear regime); the
    /// logarithm as `log1p` for accuracy where `e^(β·z)` is small.
    @inline(__always)
    static func softplus<T: Scalar>(_ z: T, beta: T, threshold: T) -> T {
        let bz = z * beta
        return bz > threshold ? z : T.log(onePlus: T.exp(bz)) / beta
    }

    /// `z` for `z > 0`, else `α·(e^z − 1)` (`expm1` for accuracy near 0).
    @inline(__always)
    static func elu<T: Scalar>(_ z: T, alpha: T) -> T {
        z > 0 ? z : alpha * T.expMinusOne(z)
    }

    /// `z·Φ(z)`, `Φ(z) = (1 + erf(z/√2))/2`.
    @inline(__always)
    static func gelu<T: Scalar>(_ z: T) -> T {
        z * (1 + T.erf(z * T(0.7071067811865476))) / 2
    }

    /// `Φ(z) + z·φ(z)`, `φ(z) = e^(−z²/2)/√(2π)`.
    @inline(__always)
    static func geluDerivative<T: Scalar>(_ z: T) -> T {
        let cdf = (1 + T.erf(z * T(0.7071067811865476))) / 2
        let pdf = T.exp(-z * z / 2) * T(0.3989422804014327)
        return cdf + z * pdf
    }

    /// One softmax row, stable: subtract the row maximum before `exp`. `y` may equal `z`.
    @inline(__always)
    static func softmaxRow<T: Scalar>(_ z: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, _ n: Int) {
        guard n > 0 else { return }
        var m = z[0]
        for j in 1..<n where z[j] > m { m = z[j] }
        var sum: T = 0
        for j in 0..<n {
            let e = T.exp(z[j] - m)
            y[j] = e
            sum += e
        }
        let inverse = 1 / sum
        for j in 0..<n { y[j] *= inverse }
    }
}
