/// Why a module kind of the model file's `perceptron.layers` list (or of a ``Layer``) is not
/// accepted: an unknown kind, a malformed argument list, or an argument PyTorch would reject.
public enum ModuleSpecError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind is not one of ``ModuleSpec/kinds``.
    case unknownKind(String)
    /// The kind of module `index` of a list is not one of ``ModuleSpec/kinds``.
    case unknownKindAtModule(String, index: Int)
    /// The text of a module is not `kind` or `kind(number,…)`.
    case malformed(String, reason: String)
    /// More arguments than the kind takes.
    case argumentCount(kind: String, expected: Int, found: Int)
    /// An argument outside the values the kind accepts.
    case invalidArgument(kind: String, name: String, value: Double, expected: String)

    public var description: String {
        switch self {
        case .unknownKind(let kind):
            "unknown module kind \(JSON.quote(kind)) (known: \(ModuleSpec.kinds.joined(separator: ", ")))"
        case .unknownKindAtModule(let kind, let index):
            "unknown module kind \(JSON.quote(kind)) at module \(index) (known: \(ModuleSpec.kinds.joined(separator: ", ")))"
        case .malformed(let text, let reason):
            "malformed module \(JSON.quote(text)): \(reason)"
        case .argumentCount(let kind, let expected, let found):
            "\(kind) takes at most \(expected) argument\(expected == 1 ? "" : "s") (\((Activation.argumentNames(of: kind) ?? ModuleSpec.argumentNames(of: kind) ?? []).joined(separator: ", "))), found \(found)"
        case .invalidArgument(let kind, let name, let value, let expected):
            "\(kind) \(name) must be \(expected), found \(value)"
        }
    }
}
