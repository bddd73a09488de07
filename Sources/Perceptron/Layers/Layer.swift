/// One module of a sequential network, as `nn.Sequential` numbers them: a dense (`linear`) layer
/// or an activation. Module `i` that is dense owns the model-file tensors `{i}.weight`, `{i}.bias`.
public enum Layer<T: Scalar>: Sendable, Equatable {
    /// `Y = X·Wᵀ + b`.
    case dense(Dense<T>)
    /// An activation applied to the previous module's output.
    case activation(Activation)

    /// The model file's layer kind: `linear` or the activation's raw value.
    public var kind: String {
        switch self {
        case .dense: "linear"
        case .activation(let a): a.rawValue
        }
    }

    /// The dense layer, or `nil` for an activation.
    public var dense: Dense<T>? {
        if case .dense(let d) = self { return d }
        return nil
    }
}
