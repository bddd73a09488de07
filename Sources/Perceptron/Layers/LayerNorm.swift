/// `nn.LayerNorm(features, eps)` over the last dimension: each row is normalised by its own
/// mean and biased variance, then scaled by `w` and shifted by `b` (see `LayerNormStep` for
/// the forward and backward formulas).
public struct LayerNorm<T: Scalar>: Sendable, Equatable {
    /// `w` (PyTorch's `weight`), `[features]`; 1 when fresh.
    public var weight: [T]
    /// `b`, `[features]`; 0 when fresh.
    public var bias: [T]
    /// `ε` added to the variance (PyTorch's default 1e-5).
    public var epsilon: Double
    /// dL/dw from the last backward pass.
    public var weightGradient: [T]
    /// dL/db from the last backward pass.
    public var biasGradient: [T]

    /// The normalised width.
    public var features: Int { weight.count }

    /// A fresh layer, as PyTorch makes it: `w = 1`, `b = 0`.
    public init(features: Int, epsilon: Double = 1e-5) {
        self.init(
            unchecked: [T](repeating: 1, count: max(features, 0)), bias: [T](repeating: 0, count: max(features, 0)),
            epsilon: epsilon)
    }

    /// A layer with the given parameters.
    /// - Throws: ``ShapeError`` if `weight` and `bias` differ in length or are empty.
    public init(weight: [T], bias: [T], epsilon: Double = 1e-5) throws(ShapeError) {
        guard weight.count == bias.count, !weight.isEmpty else {
            throw ShapeError(
                operation: "LayerNorm.init", shapes: [.init("weight", [weight.count]), .init("bias", [bias.count])],
                reason: "weight and bias must have the same positive length")
        }
        self.init(unchecked: weight, bias: bias, epsilon: epsilon)
    }

    init(unchecked weight: [T], bias: [T], epsilon: Double) {
        self.weight = weight
        self.bias = bias
        self.epsilon = epsilon
        weightGradient = [T](repeating: 0, count: weight.count)
        biasGradient = [T](repeating: 0, count: bias.count)
    }
}
