/// How ``Network/fit(_:_:loss:optimizer:configuration:validation:progress:epochEnded:)`` trains. The defaults
/// are PyTorch's plain ones: 10 epochs of batch 128, shuffled, no validation, constant rate, no
/// early stopping, no gradient clipping.
public struct TrainingConfiguration: Sendable, Equatable {
    /// Passes over the training samples.
    public var epochs: Int
    /// Samples per step; the last batch of an epoch may be smaller (it is kept, not dropped).
    public var batchSize: Int
    /// Whether to reshuffle the training samples each epoch (seeded by ``seed``); without it,
    /// batches are taken in order.
    public var shuffle: Bool
    /// Seeds the shuffling (one generator for the whole run).
    public var seed: UInt64
    /// When no explicit validation set is given: the fraction of samples held out for
    /// validation, taken from the end of the data as given (Keras' `validation_split`
    /// convention), before any shuffling. 0 means no validation.
    public var validationFraction: Double
    /// The per-epoch learning rate, from the optimizer's learning rate at the start.
    public var schedule: LearningRateSchedule
    /// Stop when the validation loss has not improved for this many epochs (needs validation).
    public var earlyStoppingPatience: Int?
    /// Clip the gradients before each update to this global norm
    /// (``Network/clipGradientNorm(to:)``, `torch.nn.utils.clip_grad_norm_`); `nil` for none.
    public var maximumGradientNorm: Double?
    /// The processes training this model together (data-parallel, see ``Communicator``);
    /// ``Communicator/single``, the default, trains in this process alone.
    public var communicator: Communicator

    /// A configuration; every parameter has PyTorch's plain default.
    public init(
        epochs: Int = 10, batchSize: Int = 128, shuffle: Bool = true, seed: UInt64 = 0,
        validationFraction: Double = 0, schedule: LearningRateSchedule = .constant, earlyStoppingPatience: Int? = nil,
        maximumGradientNorm: Double? = nil,
        communicator: Communicator = .single
    ) {
        self.epochs = epochs
        self.batchSize = batchSize
        self.shuffle = shuffle
        self.seed = seed
        self.validationFraction = validationFraction
        self.schedule = schedule
        self.earlyStoppingPatience = earlyStoppingPatience
        self.maximumGradientNorm = maximumGradientNorm
        self.communicator = communicator
    }
}
