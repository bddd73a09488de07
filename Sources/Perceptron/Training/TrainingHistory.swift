/// The metrics of one epoch.
public struct EpochRecord: Sendable, Equatable {
    /// The epoch, from 1.
    public var epoch: Int
    /// Mean training loss over the epoch's batches (weighted by batch size), each measured
    /// before that batch's update.
    public var trainLoss: Double
    /// Training accuracy over the epoch (argmax for the cross-entropies, per element for bce),
    /// `nil` for mse.
    public var trainAccuracy: Double?
    /// Loss on the validation samples after the epoch, if there are any.
    public var validationLoss: Double?
    /// Accuracy on the validation samples after the epoch, if there are any and the loss has one.
    public var validationAccuracy: Double?
    /// The learning rate used during the epoch.
    public var learningRate: Double
    /// Wall time of the epoch (training and validation), in seconds.
    public var seconds: Double
}

/// Everything ``Network/fit(_:_:loss:optimizer:configuration:validation:progress:epochEnded:)`` measured.
public struct TrainingHistory: Sendable, Equatable {
    /// One record per completed epoch.
    public var epochs: [EpochRecord]
    /// The epoch (from 1) with the lowest validation loss, if there was validation.
    public var bestEpoch: Int?
    /// Whether early stopping ended the run before the configured number of epochs.
    public var stoppedEarly: Bool
    /// Whether the caller's `stopRequested` ended the run before its last epoch finished.
    public var stopRequested = false
}

/// Reported after every training step, for progress bars.
public struct TrainingProgress: Sendable, Equatable {
    /// The current epoch, from 1.
    public var epoch: Int
    /// The configured number of epochs.
    public var epochs: Int
    /// The step just finished within the epoch, from 1.
    public var step: Int
    /// Steps per epoch (the last one possibly partial).
    public var steps: Int
    /// The loss of the batch just trained on (before its update).
    public var batchLoss: Double
    /// The current learning rate.
    public var learningRate: Double
}
