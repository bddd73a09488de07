/// One fixture folder written by `Scripts/reference/make_fixtures.py` (PyTorch), read through
/// the package's own readers.
///
/// Files: `model.safetensors` (the model-file layout), `input.npy`, `targets.npy`,
/// `expected.safetensors` (`logits`, `output`, `loss`, `input` = dL/dX and dL/dparameter under
/// the model's names), `case.json` (`description`, `dtype`, `training` and, for a training
/// case, the hyperparameters read into ``ReferenceTraining``) and, for a training case,
/// `trained.safetensors` (the parameters after training). See the fixture folder's README.
public struct ReferenceCase: Sendable {
    /// The folder's path.
    public var folder: String
    /// The folder's name without its `case-` prefix.
    public var name: String
    /// `case.json`'s `description`.
    public var summary: String
    /// The floating-point type of every tensor of the case.
    public var precision: Precision
    /// `model.safetensors`.
    public var model: SafetensorsFile
    /// `input.npy`.
    public var input: Tensor
    /// `targets.npy`.
    public var targets: Tensor
    /// `expected.safetensors`.
    public var expected: SafetensorsFile
    /// The mode of the forward pass and the gradients (`case.json`'s optional `mode`: `train`,
    /// the default, or `eval`); training always runs in training mode.
    public var mode: ExecutionMode
    /// The training recipe, for a training case.
    public var training: ReferenceTraining?
    /// `trained.safetensors`, for a training case.
    public var trained: SafetensorsFile?
    /// `case.json`'s optional `label_smoothing` (0 when absent): cross-entropy's `ε`.
    public var labelSmoothing: Double = 0
    /// `case.json`'s optional `class_weights`: cross-entropy's class weights.
    public var classWeights: [Double]?

    /// Reads every file of the case in `folder`.
    /// - Throws: ``FormatError`` naming the file for a missing or malformed file, or a
    ///   `case.json` without a required key.
    public init(folder: String) throws(FormatError) {
        self.folder = folder
        func path(_ file: String) -> String { ReferenceCase.join(folder, file) }
        let base = folder.split(separator: "/").last.map(String.init) ?? folder
        name = base.hasPrefix("case-") ? String(base.dropFirst(5)) : base
        let description = try CaseDescription(path: path("case.json"))
        summary = try description.string("description")
        let dtype = try description.string("dtype")
        guard let precision = Precision(rawValue: dtype) else {
            throw FormatError(
                file: path("case.json"), kind: .invalidMetadata, expected: "dtype float32 or float64",
                found: "dtype \(JSON.quote(dtype))")
        }
        self.precision = precision
        switch try description.optionalString("mode") {
        case nil, "train": mode = .training
        case "eval": mode = .evaluation
        case let other?:
            throw FormatError(
                file: path("case.json"), kind: .invalidMetadata, expected: "mode \"train\" or \"eval\"",
                found: "mode \(JSON.quote(other))")
        }
        model = try SafetensorsFile.read(from: path("model.safetensors"))
        input = try NPY.read(from: path("input.npy"))
        targets = try NPY.read(from: path("targets.npy"))
        expected = try SafetensorsFile.read(from: path("expected.safetensors"))
        labelSmoothing = try description.optionalNumber("label_smoothing") ?? 0
        classWeights = try description.optionalNumbers("class_weights")
        if try description.bool("training") {
            let optimizerName = try description.string("optimizer")
            guard let optimizer = ReferenceTraining.OptimizerKind(rawValue: optimizerName) else {
                throw FormatError(
                    file: path("case.json"), kind: .invalidMetadata, expected: "optimizer sgd, adam, adamw or rmsprop",
                    found: "optimizer \(JSON.quote(optimizerName))")
            }
            var recipe = ReferenceTraining(
                optimizer: optimizer, learningRate: try description.number("learning_rate"),
                momentum: try description.number("momentum"), nesterov: try description.bool("nesterov"),
                weightDecay: try description.number("weight_decay"), beta1: try description.number("beta1"),
                beta2: try description.number("beta2"), epsilon: try description.number("eps"),
                epochs: try description.integer("epochs"), batchSize: try description.integer("batch_size"))
            try recipe.readOptions(from: description)
            guard recipe.epochs >= 0, recipe.batchSize > 0 else {
                throw FormatError(
                    file: path("case.json"), kind: .invalidMetadata, expected: "epochs ≥ 0 and batch_size > 0",
                    found: "epochs \(recipe.epochs), batch_size \(recipe.batchSize)")
            }
            guard try !description.bool("shuffle") else {
                throw FormatError(
                    file: path("case.json"), kind: .invalidMetadata, expected: "shuffle false (batches in order)",
                    found: "shuffle true")
            }
            training = recipe
            trained = try SafetensorsFile.read(from: path("trained.safetensors"))
        }
    }

    /// The path of `file` in the case's folder.
    public func path(_ file: String) -> String { ReferenceCase.join(folder, file) }

    static func join(_ folder: String, _ file: String) -> String {
        folder.hasSuffix("/") ? folder + file : folder + "/" + file
    }
}

/// `case.json`: a flat JSON object read with the package's strict JSON reader.
struct CaseDescription {
    let path: String
    let members: [String: JSON.Value]

    init(path: String) throws(FormatError) {
        self.path = path
        let bytes = try FileSystem.read(path)
        let parsed: Result<JSON.Value, FormatError> = bytes.withUnsafeBytes { raw in
            do throws(FormatError) { return .success(try JSON.parse(raw, file: path, baseOffset: 0)) } catch {
                return .failure(error)
            }
        }
        let value = try parsed.get()
        guard case .object(let list) = value else {
            throw FormatError(file: path, offset: 0, kind: .invalidHeader, expected: "a JSON object", found: value.summary)
        }
        var members: [String: JSON.Value] = [:]
        for member in list { members[member.key] = member.value }
        self.members = members
    }

    private func value(_ key: String, _ kind: String) throws(FormatError) -> JSON.Value {
        guard let value = members[key] else {
            throw FormatError(file: path, kind: .invalidMetadata, expected: "key \(JSON.quote(key)) (\(kind))", found: "no such key")
        }
        return value
    }

    private func mismatch(_ key: String, _ kind: String, _ value: JSON.Value) -> FormatError {
        FormatError(file: path, kind: .invalidMetadata, expected: "\(kind) for \(JSON.quote(key))", found: value.summary)
    }

    /// The string at `key`, or `nil` when the key is absent.
    func optionalString(_ key: String) throws(FormatError) -> String? {
        members[key] == nil ? nil : try string(key)
    }

    func string(_ key: String) throws(FormatError) -> String {
        let v = try value(key, "a string")
        guard case .string(let s) = v else { throw mismatch(key, "a string", v) }
        return s
    }

    func bool(_ key: String) throws(FormatError) -> Bool {
        let v = try value(key, "true or false")
        guard case .bool(let b) = v else { throw mismatch(key, "true or false", v) }
        return b
    }

    func integer(_ key: String) throws(FormatError) -> Int {
        let v = try value(key, "an integer")
        guard case .integer(let i) = v else { throw mismatch(key, "an integer", v) }
        return i
    }

    /// `number(key)`, or `nil` when the key is absent.
    func optionalNumber(_ key: String) throws(FormatError) -> Double? {
        members[key] == nil ? nil : try number(key)
    }

    /// An array of finite numbers, or `nil` when the key is absent.
    func optionalNumbers(_ key: String) throws(FormatError) -> [Double]? {
        guard let v = members[key] else { return nil }
        guard case .array(let items) = v else { throw mismatch(key, "an array of numbers", v) }
        var result: [Double] = []
        for item in items {
            switch item {
            case .integer(let i): result.append(Double(i))
            case .number(let text):
                guard let x = Double(text), x.isFinite else { throw mismatch(key, "an array of finite numbers", item) }
                result.append(x)
            default: throw mismatch(key, "an array of numbers", item)
            }
        }
        return result
    }

    func number(_ key: String) throws(FormatError) -> Double {
        let v = try value(key, "a number")
        switch v {
        case .integer(let i): return Double(i)
        case .number(let text):
            guard let x = Double(text), x.isFinite else { throw mismatch(key, "a finite number", v) }
            return x
        default: throw mismatch(key, "a number", v)
        }
    }
}
