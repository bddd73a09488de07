/// `nn.BatchNorm1d(features, eps, momentum)` over a `[batch, features]` input, per feature
/// (column) `x` of the `N` rows.
///
/// Training forward: `μ = Σ_i x_i / N`, `σ² = Σ_i (x_i − μ)² / N` (biased), `r = 1/√(σ² + ε)`,
/// `x̂ = (x − μ)·r`, `y = x̂·w + b`; the running statistics become
/// `running_mean ← (1 − m)·running_mean + m·μ`, `running_var ← (1 − m)·running_var + m·σ²·N/(N − 1)`
/// and `num_batches_tracked += 1`. Evaluation forward: the same with `μ = running_mean`,
/// `σ² = running_var`, nothing updated.
///
/// Backward from `G = dL/dY`: `dw = Σ_i G_i·x̂_i`, `db = Σ_i G_i`; in training (μ and σ² depend
/// on every row) `dx_i = (w·r/N)·(N·G_i − db − x̂_i·dw)`; in evaluation `dx_i = G_i·w·r`.
struct BatchNormStep: Sendable {
    var layout: StepLayout
    var epsilon: Double
    var momentum: Double
    /// `w` `[features]` at `parameterOffset`, then `b`.
    var parameterOffset: Int
    /// `running_mean` `[features]` at `statisticsOffset` of the statistics, then `running_var`.
    var statisticsOffset: Int
    /// This module's entry of `num_batches_tracked`.
    var counterIndex: Int
    /// Where `x̂` `[batch, features]` is kept.
    var normalizedUnit: Int
    /// Where `μ` and `r` (`features` each) are kept, in the batch-independent scratch.
    var scratchOffset: Int

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    func forward<T: Scalar>(_ io: StepIO<T>, _ c: StepContext<T>) {
        let n = layout.width
        let rows = c.batch
        guard rows * n > 0, let x = io.input.baseAddress, let y = io.output.baseAddress,
            let xh = c.unit(normalizedUnit, width: n).baseAddress,
            let w = c.parameters(parameterOffset, n).baseAddress, let b = c.parameters(parameterOffset + n, n).baseAddress,
            let runningMean = c.statistics.baseAddress.map({ $0 + statisticsOffset })
        else { return }
        let runningVariance = runningMean + n
        let mean = c.scratch + scratchOffset
        let rstd = mean + n
        let eps = T(epsilon)
        if c.mode == .training {
            // Column sums row by row (contiguous, vectorisable), then the centred squares.
            mean.update(repeating: 0, count: n)
            rstd.update(repeating: 0, count: n)
            for i in 0..<rows {
                let xr = x + i * n
                for j in 0..<n { mean[j] += xr[j] }
            }
            let count = T(rows)
            for j in 0..<n { mean[j] /= count }
            for i in 0..<rows {
                let xr = x + i * n
                for j in 0..<n {
                    let d = xr[j] - mean[j]
                    rstd[j] += d * d
                }
            }
            let m = T(momentum)
            let keep = 1 - m
            let unbiased = rows > 1 ? count / T(rows - 1) : T.nan
            for j in 0..<n {
                let variance = rstd[j] / count
                runningMean[j] = keep * runningMean[j] + m * mean[j]
                runningVariance[j] = keep * runningVariance[j] + m * variance * unbiased
                rstd[j] = 1 / (variance + eps).squareRoot()
            }
            c.batchesTracked[counterIndex] += 1
        } else {
            for j in 0..<n {
                mean[j] = runningMean[j]
                rstd[j] = 1 / (runningVariance[j] + eps).squareRoot()
            }
        }
        for i in 0..<rows {
            let xr = x + i * n
            let yr = y + i * n
            let hr = xh + i * n
            for j in 0..<n {
                let h = (xr[j] - mean[j]) * rstd[j]
                hr[j] = h
                yr[j] = h * w[j] + b[j]
            }
        }
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    func backward<T: Scalar>(_ io: StepIO<T>, _ c: StepContext<T>) {
        let n = layout.width
        let rows = c.batch
        guard rows * n > 0, let g = io.outputGradient.baseAddress,
            let xh = c.unit(normalizedUnit, width: n).baseAddress,
            let w = c.parameters(parameterOffset, n).baseAddress,
            let dw = c.gradients(parameterOffset, n).baseAddress, let db = c.gradients(parameterOffset + n, n).baseAddress
        else { return }
        let rstd = c.scratch + scratchOffset + n
        dw.update(repeating: 0, count: n)
        db.update(repeating: 0, count: n)
        for i in 0..<rows {
            let gr = g + i * n
            let hr = xh + i * n
            for j in 0..<n {
                dw[j] += gr[j] * hr[j]
                db[j] += gr[j]
            }
        }
        guard let dx = io.inputGradient?.baseAddress else { return }
        if c.mode == .training {
            let count = T(rows)
            let inverse = 1 / count
            for i in 0..<rows {
                let gr = g + i * n
                let hr = xh + i * n
                let dr = dx + i * n
                for j in 0..<n { dr[j] = w[j] * rstd[j] * inverse * (count * gr[j] - db[j] - hr[j] * dw[j]) }
            }
        } else {
            for i in 0..<rows {
                let gr = g + i * n
                let dr = dx + i * n
                for j in 0..<n { dr[j] = gr[j] * w[j] * rstd[j] }
            }
        }
    }
}
