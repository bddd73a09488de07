/// The per-step scalars of the Adam update (see ``Adam``): `w1 = 1 − β₁`, `b2 = β₂`,
/// `w2 = 1 − β₂`, `stepSize = lr / (1 − β₁ᵗ)`, `inverseCorrection2Root = 1 / √(1 − β₂ᵗ)`, `eps`,
/// and the decays: with `decays`, `p ← p·shrink` and `d = g + l2·p`. `streamsParameters` asks the
/// vector kernel to write `p` with non-temporal stores (no effect on the values).
struct AdamCoefficients<Element: Scalar> {
    var w1: Element
    var b2: Element
    var w2: Element
    var stepSize: Element
    var inverseCorrection2Root: Element
    var eps: Element
    var decays: Bool
    var shrink: Element
    var l2: Element
    /// Whether the vector kernel writes `p` with non-temporal stores; ``Adam`` never asks for it
    /// now. With OpenBLAS's own 2 threads it paid (the other core had just read the parameters
    /// in the step's GEMMs: the update took 0.060 ms streaming against 0.110 ms, batch 128);
    /// with Perceptron dividing the products itself it costs: a 784-256-128-10 step at 2
    /// threads took 0.345 and 0.369 ms streaming against 0.287 and 0.324 ms not (batch 32, two
    /// paired runs; batch 128 and 256 within noise). Kept for measurements.
    var streamsParameters = false

    /// The same coefficients in precision `U` (exact from `Float` to `Double` and back).
    func converted<U: Scalar>(to _: U.Type) -> AdamCoefficients<U> {
        AdamCoefficients<U>(
            w1: U(w1), b2: U(b2), w2: U(w2), stepSize: U(stepSize), inverseCorrection2Root: U(inverseCorrection2Root),
            eps: U(eps), decays: decays, shrink: U(shrink), l2: U(l2), streamsParameters: streamsParameters)
    }
}
