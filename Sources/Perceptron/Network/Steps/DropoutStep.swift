/// `nn.Dropout(p)`.
///
/// Training: `Y = X ⊙ M`, `M_ij = 0` with probability `p` and `1/(1 − p)` otherwise, drawn
/// from the network's seeded generator (`p = 1`: `M = 0`). Backward, in place (the gradient
/// buffer is the step below's): `dX = G ⊙ M`. Evaluation: the identity, `dX = G`.
struct DropoutStep: Sendable {
    var layout: StepLayout
    var probability: Double
    /// Where `M` is kept for the backward pass.
    var maskUnit: Int

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    func forward<T: Scalar>(_ io: StepIO<T>, _ c: StepContext<T>) {
        let n = c.batch * layout.width
        guard n > 0, let x = io.input.baseAddress, let y = io.output.baseAddress else { return }
        guard c.mode == .training, probability > 0 else {
            y.update(from: x, count: n)
            if c.mode == .training, let m = c.unit(maskUnit, width: layout.width).baseAddress {
                m.update(repeating: 1, count: n)
            }
            return
        }
        guard let m = c.unit(maskUnit, width: layout.width).baseAddress else { return }
        let keep: T = probability < 1 ? 1 / (1 - T(probability)) : 0
        // An element is dropped when u < p, u uniform in [0, 1) with 53 random bits.
        let p = probability
        let generator = c.generator
        for i in 0..<n {
            let scale = generator.pointee.nextUnit() < p ? 0 : keep
            m[i] = scale
            y[i] = x[i] * scale
        }
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    func backward<T: Scalar>(_ io: StepIO<T>, _ c: StepContext<T>) {
        guard c.mode == .training, let g = io.outputGradient.baseAddress,
            let m = c.unit(maskUnit, width: layout.width).baseAddress
        else { return }
        for i in 0..<(c.batch * layout.width) { g[i] *= m[i] }
    }
}
