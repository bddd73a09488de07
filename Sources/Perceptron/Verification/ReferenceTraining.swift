/// How a reference fixture's training case was trained (its `case.json`): the optimizer, its
/// hyperparameters, epochs and batch size. Batches are taken in order, the last partial batch
/// included, one optimizer step per batch; the loss of a batch is the mean over its rows.
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
    /// Replays the training on `network`: `epochs` passes over `input`/`targets` in order in
    /// batches of ``batchSize``, one ``Network/trainStep(on:targets:loss:optimizer:)`` each.
    /// - Throws: ``ShapeError`` if the data do not fit the network.
    public func train<T: Scalar>(
        _ network: inout Network<T>, input: Matrix<T>, targets: Targets<T>, loss: Loss
    ) throws(ShapeError) {
        switch optimizer {
        case .sgd:
            var rule = SGD<T>(
                learningRate: T(learningRate), momentum: T(momentum), nesterov: nesterov, weightDecay: T(weightDecay))
            try run(&network, input: input, targets: targets, loss: loss, optimizer: &rule)
        case .adam:
            var rule = Adam<T>(
                learningRate: T(learningRate), beta1: T(beta1), beta2: T(beta2), epsilon: T(epsilon),
                weightDecay: T(weightDecay))
            try run(&network, input: input, targets: targets, loss: loss, optimizer: &rule)
        case .adamw:
            var rule = AdamW<T>(
                learningRate: T(learningRate), beta1: T(beta1), beta2: T(beta2), epsilon: T(epsilon),
                weightDecay: T(weightDecay))
            try run(&network, input: input, targets: targets, loss: loss, optimizer: &rule)
        }
    }

    private func run<T: Scalar>(
        _ network: inout Network<T>, input: Matrix<T>, targets: Targets<T>, loss: Loss,
        optimizer: inout some Optimizer<T>
    ) throws(ShapeError) {
        let n = input.rows
        for _ in 0..<epochs {
            for start in stride(from: 0, to: n, by: batchSize) {
                let range = start..<min(start + batchSize, n)
                try network.trainStep(
                    on: input.rows(range), targets: targets.gathered(range), loss: loss, optimizer: &optimizer)
            }
        }
    }
}
