/// One module of a sequential network, as `nn.Sequential` numbers them. Module `i` owns the
/// model-file tensors `{i}.weight`, `{i}.bias` (dense, layer and batch normalisation) and
/// `{i}.running_mean`, `{i}.running_var`, `{i}.num_batches_tracked` (batch normalisation).
public enum Layer<T: Scalar>: Sendable, Equatable {
    /// `Y = X·Wᵀ + b` (`nn.Linear`).
    case dense(Dense<T>)
    /// An activation applied to the previous module's output.
    case activation(Activation)
    /// `nn.Dropout(p)`: in training, each element is zeroed with probability `p` and the rest
    /// scaled by `1/(1 − p)`; the identity in evaluation. `p` in `[0, 1]`.
    case dropout(probability: Double)
    /// `nn.LayerNorm(features)`.
    case layerNorm(LayerNorm<T>)
    /// `nn.BatchNorm1d(features)`.
    case batchNorm(BatchNorm<T>)

    /// The model file's layer kind: `linear`, an activation's ``Activation/kind``, `dropout`,
    /// `layer_norm` or `batch_norm`.
    public var kind: String { spec.kind }

    /// The kind and its arguments as the model file lists them; arguments equal to PyTorch's
    /// defaults are left out (`dropout`, not `dropout(0.5)`).
    public var spec: ModuleSpec {
        func trimmed(_ values: [Double], defaults: [Double]) -> [Double] {
            var values = values
            while let last = values.last, values.count <= defaults.count, last == defaults[values.count - 1] {
                values.removeLast()
            }
            return values
        }
        switch self {
        case .dense: return ModuleSpec(kind: "linear")
        case .activation(let a):
            let defaults = (try? Activation(kind: a.kind))?.arguments ?? []
            return ModuleSpec(kind: a.kind, arguments: trimmed(a.arguments, defaults: defaults))
        case .dropout(let p): return ModuleSpec(kind: "dropout", arguments: trimmed([p], defaults: [0.5]))
        case .layerNorm(let l): return ModuleSpec(kind: "layer_norm", arguments: trimmed([l.epsilon], defaults: [1e-5]))
        case .batchNorm(let b):
            return ModuleSpec(kind: "batch_norm", arguments: trimmed([b.epsilon, b.momentum], defaults: [1e-5, 0.1]))
        }
    }

    /// The dense layer, or `nil` for another kind.
    public var dense: Dense<T>? {
        if case .dense(let d) = self { return d }
        return nil
    }

    /// The features a module requires of its input (`nil` for activations and dropout, which
    /// keep any width).
    var inputWidth: Int? {
        switch self {
        case .dense(let d): d.inputSize
        case .layerNorm(let l): l.features
        case .batchNorm(let b): b.features
        case .activation, .dropout: nil
        }
    }

    /// Checks the module's arguments and shapes as PyTorch's constructor would.
    /// - Throws: ``ModuleSpecError`` naming the argument.
    func validate() throws(ModuleSpecError) {
        switch self {
        case .dense: return
        case .activation(let a): _ = try Activation(kind: a.kind, arguments: a.arguments)
        case .dropout(let p):
            guard p >= 0, p <= 1 else {
                throw .invalidArgument(kind: "dropout", name: "p", value: p, expected: "between 0 and 1")
            }
        case .layerNorm(let l):
            try Self.checkEpsilon(l.epsilon, kind: "layer_norm")
        case .batchNorm(let b):
            try Self.checkEpsilon(b.epsilon, kind: "batch_norm")
            guard b.momentum >= 0, b.momentum <= 1 else {
                throw .invalidArgument(kind: "batch_norm", name: "momentum", value: b.momentum, expected: "between 0 and 1")
            }
        }
    }

    private static func checkEpsilon(_ eps: Double, kind: String) throws(ModuleSpecError) {
        guard eps >= 0, eps.isFinite else {
            throw .invalidArgument(kind: kind, name: "eps", value: eps, expected: "a finite number ≥ 0")
        }
    }
}
