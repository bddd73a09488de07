/// `nn.Dropout(p)`.
///
/// Training: `Y = X ⊙ M`, `M_ij = 0` with probability `p` and `1/(1 − p)` otherwise, drawn
/// from the network's seeded generator: each 64-bit draw decides two elements, element `k`
/// dropped when its 32-bit half `u` satisfies `u < ⌊p·2³²⌋` (`p = 1`: `M = 0`). Backward, in place (the gradient
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
        // Dropped when a uniform 32-bit u < threshold; p = 1 drops every element.
        let threshold = probability < 1 ? UInt64(probability * 0x1p32) : UInt64(1) << 32
        let zero: T = 0
        let generator = c.generator
        var i = 0
        while i < n {
            let bits = generator.pointee.next()
            let low = bits & 0xFFFF_FFFF
            let first = low < threshold ? zero : keep
            m[i] = first
            y[i] = x[i] * first
            if i + 1 < n {
                let second = (bits >> 32) < threshold ? zero : keep
                m[i + 1] = second
                y[i + 1] = x[i + 1] * second
            }
            i += 2
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
