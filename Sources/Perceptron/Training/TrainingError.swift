/// Training could not run, or stopped because it diverged.
public enum TrainingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A loss, layer output, gradient or parameter became NaN or infinite. `layer` is the module
    /// index (as in the model file) of the first module found non-finite, searching parameters
    /// first, then outputs, then gradients, each in forward order; `quantity` says which
    /// (`"parameters"`, `"output"`, `"gradient"`, or `"loss"` when only the loss was).
    case nonFinite(epoch: Int, step: Int, layer: Int, layerKind: String, quantity: String)
    /// The data does not fit the network or the loss.
    case invalidData(ShapeError)
    /// A configuration value is out of range; the message names it.
    case invalidConfiguration(String)
    /// The caller's end-of-epoch callback threw (e.g. saving a checkpoint failed); training
    /// stopped after `epoch`. `message` is the callback's error.
    case epochCallbackFailed(epoch: Int, message: String)
    /// Data-parallel training failed across processes: a collective failed, another rank
    /// could not start, or the ranks disagree on the network or data. The message says which.
    case distributed(String)

    /// One line naming the problem and where.
    public var description: String {
        switch self {
        case .nonFinite(let epoch, let step, let layer, let kind, let quantity):
            "training diverged at epoch \(epoch), step \(step): non-finite \(quantity) in layer \(layer) (\(kind)); lower the learning rate or check the data for NaN"
        case .invalidData(let error):
            "invalid training data: \(error)"
        case .invalidConfiguration(let message):
            "invalid training configuration: \(message)"
        case .epochCallbackFailed(let epoch, let message):
            "stopped after epoch \(epoch): \(message)"
        case .distributed(let message):
            "data-parallel training failed: \(message)"
        }
    }
}
