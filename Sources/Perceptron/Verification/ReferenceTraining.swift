/// How a reference fixture's training case was trained (its `case.json`): the optimizer, its
/// hyperparameters, epochs and batch size. Batches are taken in order, the last partial batch
/// included, one optimizer step per batch; the loss of a batch is the mean over its rows: what
/// ``Network/fit(_:_:loss:optimizer:configuration:validation:progress:epochEnded:)`` does with `shuffle` off.
public struct ReferenceTraining: Sendable, Equatable {
    /// The PyTorch optimizer the fixture used.
    public enum OptimizerKind: String, Sendable, CaseIterable {
        /// `torch.optim.SGD` (dampening 0).
        case sgd
        /// `torch.optim.Adam` (L2 weight decay).
        case adam
        /// `torch.optim.AdamW` (decoupled weight decay).
        case adamw
    }

    /// The optimizer.
    public var optimizer: OptimizerKind
    /// `lr`.
    public var learningRate: Double
    /// SGD's `μ` (0 for none).
    public var momentum: Double
    /// SGD's Nesterov flag.
    public var nesterov: Bool
    /// `λ`: L2 for SGD and Adam, decoupled for AdamW.
    public var weightDecay: Double
    /// Adam's `β₁`.
    public var beta1: Double
    /// Adam's `β₂`.
    public var beta2: Double
    /// Adam's `ε`.
    public var epsilon: Double
    /// Passes over the samples.
    public var epochs: Int
    /// Samples per step (the last batch of an epoch may be smaller).
    public var batchSize: Int
}

extension ReferenceTraining {
    /// The training configuration that replays the fixture: ``epochs`` passes in order
    /// (`shuffle` off), batches of ``batchSize`` with the last partial batch kept, a constant
    /// learning rate, no validation.
    public var configuration: TrainingConfiguration {
        TrainingConfiguration(epochs: epochs, batchSize: batchSize, shuffle: false)
    }

    /// Replays the training on `network` with ``Network/fit(_:_:loss:optimizer:configuration:validation:progress:epochEnded:)``
    /// and ``configuration``, from a fresh optimizer of the fixture's kind and hyperparameters.
    /// - Throws: ``TrainingError`` if training stops (a non-finite value, data that do not fit).
    public func train<T: Scalar>(
        _ network: inout Network<T>, input: Matrix<T>, targets: Targets<T>, loss: Loss
    ) throws(TrainingError) {
        switch optimizer {
        case .sgd:
            var rule = SGD<T>(
                learningRate: T(learningRate), momentum: T(momentum), nesterov: nesterov, weightDecay: T(weightDecay))
            _ = try network.fit(input, targets, loss: loss, optimizer: &rule, configuration: configuration)
        case .adam:
            var rule = Adam<T>(
                learningRate: T(learningRate), beta1: T(beta1), beta2: T(beta2), epsilon: T(epsilon),
                weightDecay: T(weightDecay))
            _ = try network.fit(input, targets, loss: loss, optimizer: &rule, configuration: configuration)
        case .adamw:
            var rule = AdamW<T>(
                learningRate: T(learningRate), beta1: T(beta1), beta2: T(beta2), epsilon: T(epsilon),
                weightDecay: T(weightDecay))
            _ = try network.fit(input, targets, loss: loss, optimizer: &rule, configuration: configuration)
        }
    }
}
