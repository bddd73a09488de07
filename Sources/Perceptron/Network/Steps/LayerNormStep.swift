/// `nn.LayerNorm(features, eps)`, per row `x` of `n` features (the same in both modes).
///
/// Forward: `μ = Σ_j x_j / n`, `σ² = Σ_j (x_j − μ)² / n` (biased), `r = 1/√(σ² + ε)`,
/// `x̂ = (x − μ)·r`, `y = x̂ ⊙ w + b`; `x̂` and `r` are kept for the backward pass.
///
/// Backward from `G = dL/dY`: `dw = Σ_rows G ⊙ x̂`, `db = Σ_rows G`, and with `d = G ⊙ w`,
/// `dx = r·(d − mean_j(d) − x̂·mean_j(d ⊙ x̂))`.
struct LayerNormStep: Sendable {
    var layout: StepLayout
    var epsilon: Double
    /// `w` `[features]` at `parameterOffset`, then `b`.
    var parameterOffset: Int
    /// Where `x̂` `[batch, features]` is kept.
    var normalizedUnit: Int
    /// Where `r` `[batch]` is kept.
    var reciprocalDeviationUnit: Int

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    func forward<T: Scalar>(_ io: StepIO<T>, _ c: StepContext<T>) {
        let n = layout.width
        guard c.batch * n > 0, let x = io.input.baseAddress, let y = io.output.baseAddress,
            let xh = c.unit(normalizedUnit, width: n).baseAddress,
            let r = c.unit(reciprocalDeviationUnit, width: 1).baseAddress,
            let w = c.parameters(parameterOffset, n).baseAddress, let b = c.parameters(parameterOffset + n, n).baseAddress
        else { return }
        let eps = T(epsilon)
        let count = T(n)
        for row in 0..<c.batch {
            let xr = x + row * n
            let yr = y + row * n
            let hr = xh + row * n
            var sum: T = 0
            for j in 0..<n { sum += xr[j] }
            let mean = sum / count
            var squares: T = 0
            for j in 0..<n {
                let d = xr[j] - mean
                squares += d * d
            }
            let rstd = 1 / (squares / count + eps).squareRoot()
            r[row] = rstd
            for j in 0..<n {
                let h = (xr[j] - mean) * rstd
                hr[j] = h
                yr[j] = h * w[j] + b[j]
            }
        }
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    func backward<T: Scalar>(_ io: StepIO<T>, _ c: StepContext<T>) {
        let n = layout.width
        guard c.batch * n > 0, let g = io.outputGradient.baseAddress,
            let xh = c.unit(normalizedUnit, width: n).baseAddress,
            let r = c.unit(reciprocalDeviationUnit, width: 1).baseAddress,
            let w = c.parameters(parameterOffset, n).baseAddress,
            let dw = c.gradients(parameterOffset, n).baseAddress, let db = c.gradients(parameterOffset + n, n).baseAddress
        else { return }
        dw.update(repeating: 0, count: n)
        db.update(repeating: 0, count: n)
        let dx = io.inputGradient?.baseAddress
        let count = T(n)
        for row in 0..<c.batch {
            let gr = g + row * n
            let hr = xh + row * n
            var sumD: T = 0
            var sumDH: T = 0
            for j in 0..<n {
                let gj = gr[j]
                dw[j] += gj * hr[j]
                db[j] += gj
                let d = gj * w[j]
                sumD += d
                sumDH += d * hr[j]
            }
            guard let dx else { continue }
            let meanD = sumD / count
            let meanDH = sumDH / count
            let rstd = r[row]
            let dr = dx + row * n
            for j in 0..<n { dr[j] = rstd * (gr[j] * w[j] - meanD - hr[j] * meanDH) }
        }
    }
}
