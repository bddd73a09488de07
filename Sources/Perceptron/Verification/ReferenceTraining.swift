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
        /// `torch.optim.RMSprop` (not centered, L2 weight decay).
        case rmsprop
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
    /// RMSprop's `α` (`alpha`, optional in `case.json`).
    public var alpha: Double = 0.99
    /// `clip_grad_norm`, optional: the gradients' global norm bound before every step.
    public var maximumGradientNorm: Double?
    /// `schedule` (optional, `"constant"` or `"plateau"` with `gamma` and `plateau_patience`).
    public var schedule: LearningRateSchedule = .constant
    /// `validation_fraction` (optional): the share of the samples held out from their end.
    public var validationFraction: Double = 0
    /// `learning_rates` (optional): the learning rate PyTorch used in each epoch.
    public var learningRates: [Double]?
}

extension ReferenceTraining {
    /// The training configuration that replays the fixture: ``epochs`` passes in order
    /// (`shuffle` off), batches of ``batchSize`` with the last partial batch kept, the
    /// ``schedule`` (constant unless the case names one), ``validationFraction`` held out,
    /// gradients clipped to ``maximumGradientNorm`` if given.
    public var configuration: TrainingConfiguration {
        TrainingConfiguration(
            epochs: epochs, batchSize: batchSize, shuffle: false, validationFraction: validationFraction,
            schedule: schedule, maximumGradientNorm: maximumGradientNorm)
    }

    /// Reads the optional keys of issue 15 (`alpha`, `clip_grad_norm`, `schedule`, `gamma`,
    /// `plateau_patience`, `validation_fraction`, `learning_rates`) from `description`.
    mutating func readOptions(from description: CaseDescription) throws(FormatError) {
        alpha = try description.optionalNumber("alpha") ?? alpha
        maximumGradientNorm = try description.optionalNumber("clip_grad_norm")
        validationFraction = try description.optionalNumber("validation_fraction") ?? 0
        learningRates = try description.optionalNumbers("learning_rates")
        switch try description.optionalString("schedule") ?? "constant" {
        case "constant":
            schedule = .constant
        case "plateau":
            schedule = .plateau(
                factor: try description.number("gamma"), patience: try description.integer("plateau_patience"))
        case let other:
            throw FormatError(
                file: description.path, kind: .invalidMetadata, expected: "schedule constant or plateau",
                found: "schedule \(JSON.quote(other))")
        }
    }

    /// Replays the training on `network` with ``Network/fit(_:_:loss:optimizer:configuration:validation:progress:epochEnded:)``
    /// and ``configuration``, from a fresh optimizer of the fixture's kind and hyperparameters.
    /// Returns the training history (its per-epoch learning rates are checked against
    /// ``learningRates``).
    /// - Throws: ``TrainingError`` if training stops (a non-finite value, data that do not fit).
    @discardableResult
    public func train<T: Scalar>(
        _ network: inout Network<T>, input: Matrix<T>, targets: Targets<T>, loss: Loss
    ) throws(TrainingError) -> TrainingHistory {
        switch optimizer {
        case .sgd:
            var rule = SGD<T>(
                learningRate: T(learningRate), momentum: T(momentum), nesterov: nesterov, weightDecay: T(weightDecay))
            return try network.fit(input, targets, loss: loss, optimizer: &rule, configuration: configuration)
        case .adam:
            var rule = Adam<T>(
                learningRate: T(learningRate), beta1: T(beta1), beta2: T(beta2), epsilon: T(epsilon),
                weightDecay: T(weightDecay))
            return try network.fit(input, targets, loss: loss, optimizer: &rule, configuration: configuration)
        case .adamw:
            var rule = AdamW<T>(
                learningRate: T(learningRate), beta1: T(beta1), beta2: T(beta2), epsilon: T(epsilon),
                weightDecay: T(weightDecay))
            return try network.fit(input, targets, loss: loss, optimizer: &rule, configuration: configuration)
        case .rmsprop:
            var rule = RMSprop<T>(
                learningRate: T(learningRate), alpha: T(alpha), epsilon: T(epsilon), weightDecay: T(weightDecay),
                momentum: T(momentum))
            return try network.fit(input, targets, loss: loss, optimizer: &rule, configuration: configuration)
        }
    }
}
