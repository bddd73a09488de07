/// One entry of the model file's `perceptron.layers` list: a kind and its arguments, written
/// `kind` or `kind(a,b)` with the arguments as JSON numbers (no spaces required; spaces around
/// them are allowed). A kind without parentheses takes PyTorch's defaults.
public struct ModuleSpec: Sendable, Equatable {
    /// The module kind, e.g. `linear`, `relu`, `dropout`, `batch_norm`.
    public var kind: String
    /// The arguments in PyTorch's constructor order (may be fewer than the kind takes).
    public var arguments: [Double]

    /// Every kind a model file may list.
    public static let kinds: [String] =
        ["linear"] + Activation.allCases.map(\.kind) + ["dropout", "layer_norm", "batch_norm"]

    /// The argument names of a kind that is not an activation (`nil` for an unknown one).
    public static func argumentNames(of kind: String) -> [String]? {
        switch kind {
        case "linear": []
        case "dropout": ["p"]
        case "layer_norm": ["eps"]
        case "batch_norm": ["eps", "momentum"]
        default: Activation.argumentNames(of: kind)
        }
    }

    /// A spec of `kind` with `arguments`.
    public init(kind: String, arguments: [Double] = []) {
        self.kind = kind
        self.arguments = arguments
    }

    /// The text as written in a model file: `kind`, or `kind(a,b)` when there are arguments.
    public var token: String {
        arguments.isEmpty ? kind : "\(kind)(" + arguments.map(Self.format).joined(separator: ",") + ")"
    }

    /// `value` as a JSON number that reads back exactly (`0.2`, `1e-05`, `20`).
    static func format(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }

    /// Parses one module's text (`dropout(0.2)`); the kind is checked against ``kinds`` and
    /// the argument count against the kind.
    /// - Throws: ``ModuleSpecError``.
    public init(parsing text: String) throws(ModuleSpecError) {
        let trimmed = Self.trim(Substring(text))
        guard let open = trimmed.firstIndex(of: "(") else {
            guard !trimmed.isEmpty else { throw .malformed(text, reason: "empty module kind") }
            guard Self.argumentNames(of: String(trimmed)) != nil else { throw .unknownKind(String(trimmed)) }
            self.init(kind: String(trimmed))
            return
        }
        let kind = String(Self.trim(trimmed[..<open]))
        guard trimmed.last == ")" else { throw .malformed(text, reason: "no closing parenthesis") }
        guard let names = Self.argumentNames(of: kind) else { throw .unknownKind(kind) }
        let inner = trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)]
        guard !inner.contains("("), !inner.contains(")") else {
            throw .malformed(text, reason: "nested parentheses")
        }
        var arguments: [Double] = []
        if !Self.trim(inner).isEmpty {
            for part in inner.split(separator: ",", omittingEmptySubsequences: false) {
                let number = Self.trim(part)
                guard let value = JSON.number(String(number)) else {
                    throw .malformed(text, reason: "argument \(JSON.quote(String(number))) is not a JSON number")
                }
                arguments.append(value)
            }
        }
        guard arguments.count <= names.count else {
            throw .argumentCount(kind: kind, expected: names.count, found: arguments.count)
        }
        self.init(kind: kind, arguments: arguments)
    }

    /// Splits a `perceptron.layers` list at the commas outside parentheses and parses each
    /// module: `linear,batch_norm(1e-5,0.1),relu,dropout(0.2),linear`.
    /// - Throws: ``ModuleSpecError`` naming the first bad module, with its index.
    public static func parseList(_ list: String) throws(ModuleSpecError) -> [ModuleSpec] {
        var parts: [Substring] = []
        var depth = 0
        var start = list.startIndex
        for i in list.indices {
            switch list[i] {
            case "(": depth += 1
            case ")": depth -= 1
            case "," where depth == 0:
                parts.append(list[start..<i])
                start = list.index(after: i)
            default: break
            }
        }
        parts.append(list[start...])
        var specs: [ModuleSpec] = []
        for (i, part) in parts.enumerated() {
            do {
                specs.append(try ModuleSpec(parsing: String(part)))
            } catch {
                throw error.atModule(i)
            }
        }
        return specs
    }

    private static func trim(_ s: Substring) -> Substring {
        var t = s
        while t.first == " " { t = t.dropFirst() }
        while t.last == " " { t = t.dropLast() }
        return t
    }
}

extension ModuleSpecError {
    /// The same error with the module index named.
    func atModule(_ index: Int) -> ModuleSpecError {
        switch self {
        case .unknownKind(let kind): .unknownKindAtModule(kind, index: index)
        case .malformed(let text, let reason): .malformed(text, reason: "\(reason), at module \(index)")
        default: self
        }
    }
}
