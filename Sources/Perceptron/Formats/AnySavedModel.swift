/// A saved model in the precision its file stores, for callers (the CLI) that open a model
/// without knowing its dtype: switch on it and continue generically.
public enum AnySavedModel: Sendable {
    /// A model stored in F32 (or in F16/BF16, widened exactly to F32).
    case float32(SavedModel<Float>)
    /// A model stored in F64.
    case float64(SavedModel<Double>)

    /// The precision the network computes in.
    public var precision: Precision {
        switch self {
        case .float32: .float32
        case .float64: .float64
        }
    }

    /// The loss the file names.
    public var loss: Loss {
        switch self {
        case .float32(let m): m.loss
        case .float64(let m): m.loss
        }
    }
}
