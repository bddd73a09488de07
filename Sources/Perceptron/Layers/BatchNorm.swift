/// `nn.BatchNorm1d(features, eps, momentum)` over `[batch, features]`: in training each
/// feature is normalised by the batch's mean and biased variance and the running statistics
/// are updated; in evaluation the running statistics are used (see `BatchNormStep` for the
/// formulas).
public struct BatchNorm<T: Scalar>: Sendable, Equatable {
    /// `w` (PyTorch's `weight`), `[features]`; 1 when fresh.
    public var weight: [T]
    /// `b`, `[features]`; 0 when fresh.
    public var bias: [T]
    /// `running_mean`, `[features]`; 0 when fresh.
    public var runningMean: [T]
    /// `running_var` (unbiased batch variances averaged in), `[features]`; 1 when fresh.
    public var runningVariance: [T]
    /// `num_batches_tracked`: training-mode batches seen.
    public var batchesTracked: Int
    /// `ε` added to the variance (PyTorch's default 1e-5).
    public var epsilon: Double
    /// The running statistics' update factor `m` (PyTorch's default 0.1).
    public var momentum: Double
    /// dL/dw from the last backward pass.
    public var weightGradient: [T]
    /// dL/db from the last backward pass.
    public var biasGradient: [T]

    /// The normalised width.
    public var features: Int { weight.count }

    /// A fresh layer, as PyTorch makes it: `w = 1`, `b = 0`, running mean 0, variance 1.
    public init(features: Int, epsilon: Double = 1e-5, momentum: Double = 0.1) {
        let n = max(features, 0)
        self.init(
            unchecked: [T](repeating: 1, count: n), bias: [T](repeating: 0, count: n),
            runningMean: [T](repeating: 0, count: n), runningVariance: [T](repeating: 1, count: n), batchesTracked: 0,
            epsilon: epsilon, momentum: momentum)
    }

    /// A layer with the given parameters and statistics.
    /// - Throws: ``ShapeError`` if the four vectors differ in length or are empty, or
    ///   `batchesTracked` is negative.
    public init(
        weight: [T], bias: [T], runningMean: [T], runningVariance: [T], batchesTracked: Int = 0,
        epsilon: Double = 1e-5, momentum: Double = 0.1
    ) throws(ShapeError) {
        let counts = [weight.count, bias.count, runningMean.count, runningVariance.count]
        guard Set(counts).count == 1, !weight.isEmpty, batchesTracked >= 0 else {
            throw ShapeError(
                operation: "BatchNorm.init",
                shapes: [
                    .init("weight", [weight.count]), .init("bias", [bias.count]),
                    .init("running_mean", [runningMean.count]), .init("running_var", [runningVariance.count]),
                ],
                reason: "weight, bias, running_mean and running_var must have the same positive length "
                    + "and num_batches_tracked must be ≥ 0")
        }
        self.init(
            unchecked: weight, bias: bias, runningMean: runningMean, runningVariance: runningVariance,
            batchesTracked: batchesTracked, epsilon: epsilon, momentum: momentum)
    }

    init(
        unchecked weight: [T], bias: [T], runningMean: [T], runningVariance: [T], batchesTracked: Int,
        epsilon: Double, momentum: Double
    ) {
        self.weight = weight
        self.bias = bias
        self.runningMean = runningMean
        self.runningVariance = runningVariance
        self.batchesTracked = batchesTracked
        self.epsilon = epsilon
        self.momentum = momentum
        weightGradient = [T](repeating: 0, count: weight.count)
        biasGradient = [T](repeating: 0, count: bias.count)
    }
}
