/// Perceptron's model file: safetensors named as PyTorch's `nn.Sequential(...).state_dict()`
/// names them.
///
/// Module `i` that is a linear layer stores `{i}.weight` `[out, in]` and `{i}.bias` `[out]`;
/// `layer_norm` stores `{i}.weight`, `{i}.bias` `[features]`; `batch_norm` stores those and
/// `{i}.running_mean`, `{i}.running_var` `[features]` and `{i}.num_batches_tracked` (I64,
/// shape `[]`); activations and dropout store nothing. `__metadata__` holds
/// `perceptron.layers`, the module kinds in order, comma-separated, each with its arguments in
/// parentheses when they differ from PyTorch's defaults (`linear,batch_norm,relu,dropout(0.2),linear`;
/// see ``ModuleSpec``), and `perceptron.loss` (a raw value of ``Loss``; ``Loss/crossEntropy``
/// when absent). All tensors but `num_batches_tracked` share one dtype. So a PyTorch user loads a Perceptron model with
/// `model.load_state_dict(safetensors.torch.load_file(path))` and saves one with
/// `safetensors.torch.save_file(model.state_dict(), path, metadata={...})`.
///
/// Loading validates everything and names the file and the tensor: unknown kinds, missing or
/// extra tensors, ranks and shapes, consecutive sizes, mixed dtypes, and NaN or infinite
/// parameters (rejected: such a model is the product of diverged training, and running it would
/// give silently meaningless outputs).
public enum ModelFile {
    /// The metadata key of the layer list.
    public static let layersKey = "perceptron.layers"
    /// The metadata key of the loss.
    public static let lossKey = "perceptron.loss"

    /// Reads the model at `path` in the precision it is stored in (F16/BF16 widen to F32).
    /// - Throws: ``FormatError`` naming `path` and the problem.
    public static func read(from path: String, backend: any Backend = defaultBackend()) throws(FormatError) -> AnySavedModel {
        try decode(SafetensorsFile.read(from: path), file: path, backend: backend)
    }

    /// Reads the model at `path`, which must be stored in `T`'s precision (or, for `Float`,
    /// F16/BF16).
    /// - Throws: ``FormatError`` (``FormatError/Kind/tensorMismatch`` for another dtype).
    public static func read<T: Scalar>(
        from path: String, as type: T.Type, backend: any Backend = defaultBackend()
    ) throws(FormatError) -> SavedModel<T> {
        try decode(SafetensorsFile.read(from: path), file: path, as: T.self, backend: backend)
    }

    /// The model in a decoded safetensors file, in the precision it is stored in.
    /// `file` names the source in errors.
    public static func decode(
        _ contents: SafetensorsFile, file: String = "<memory>", backend: any Backend = defaultBackend()
    ) throws(FormatError) -> AnySavedModel {
        let layout = try Layout(contents, file: file)
        switch layout.dtype {
        case .float64: return .float64(try build(layout, contents, file: file, as: Double.self, backend: backend))
        default: return .float32(try build(layout, contents, file: file, as: Float.self, backend: backend))
        }
    }

    /// The model in a decoded safetensors file, which must be stored in `T`'s precision.
    /// `file` names the source in errors.
    public static func decode<T: Scalar>(
        _ contents: SafetensorsFile, file: String = "<memory>", as type: T.Type, backend: any Backend = defaultBackend()
    ) throws(FormatError) -> SavedModel<T> {
        let layout = try Layout(contents, file: file)
        let stored: Precision = layout.dtype == .float64 ? .float64 : .float32
        guard stored == T.precision else {
            throw FormatError(
                file: file, kind: .tensorMismatch, expected: "a \(T.precision) model", found: "\(layout.dtype) tensors")
        }
        return try build(layout, contents, file: file, as: T.self, backend: backend)
    }

    /// The safetensors contents of `network` and `loss`.
    public static func encode<T: Scalar>(_ network: Network<T>, loss: Loss) -> SafetensorsFile {
        let layers = network.layers
        var tensors: [String: Tensor] = [:]
        for (i, layer) in layers.enumerated() {
            for (name, tensor) in tensorsOf(layer, module: i, gradients: false) { tensors[name] = tensor }
        }
        return SafetensorsFile(tensors: tensors, metadata: metadata(layers, loss))
    }

    /// The state_dict entries of module `i` (its gradients instead of its parameters when
    /// `gradients`; a gradients file has no running statistics).
    static func tensorsOf<T: Scalar>(_ layer: Layer<T>, module i: Int, gradients: Bool) -> [(String, Tensor)] {
        func vector(_ v: [T]) -> Tensor {
            Tensor(validatedDType: DType(T.precision), shape: [v.count], bytes: Tensor.encode(v))
        }
        switch layer {
        case .activation, .dropout:
            return []
        case .dense(let d):
            return [
                ("\(i).weight", Tensor(gradients ? d.weightGradient : d.weight)),
                ("\(i).bias", vector(gradients ? d.biasGradient : d.bias)),
            ]
        case .layerNorm(let l):
            return [
                ("\(i).weight", vector(gradients ? l.weightGradient : l.weight)),
                ("\(i).bias", vector(gradients ? l.biasGradient : l.bias)),
            ]
        case .batchNorm(let b):
            if gradients {
                return [("\(i).weight", vector(b.weightGradient)), ("\(i).bias", vector(b.biasGradient))]
            }
            let tracked =
                (try? Tensor(integers: [b.batchesTracked], shape: [], dtype: .int64))
                ?? Tensor(validatedDType: .int64, shape: [], bytes: [UInt8](repeating: 0, count: 8))
            return [
                ("\(i).weight", vector(b.weight)), ("\(i).bias", vector(b.bias)),
                ("\(i).running_mean", vector(b.runningMean)), ("\(i).running_var", vector(b.runningVariance)),
                ("\(i).num_batches_tracked", tracked),
            ]
        }
    }

    /// Writes `network` and `loss` to `path` atomically (see ``AtomicFile``).
    /// - Throws: ``FormatError`` of kind ``FormatError/Kind/io``; the old file is then intact.
    public static func write<T: Scalar>(_ network: Network<T>, loss: Loss, to path: String) throws(FormatError) {
        try encode(network, loss: loss).write(to: path)
    }

    /// The gradients file of the CLI's `gradients` command: under the model's own tensor names,
    /// dL/dparameter from `network`'s last backward pass (same shapes and dtype), plus `loss`
    /// (the scalar `lossValue`, shape `[]`) and `input` (``Network/inputGradient``, dL/dX, the
    /// shape of X). The metadata is the model's.
    public static func gradients<T: Scalar>(of network: Network<T>, loss: Loss, lossValue: T) -> SafetensorsFile {
        let layers = network.layers
        var tensors: [String: Tensor] = [:]
        for (i, layer) in layers.enumerated() {
            for (name, tensor) in tensorsOf(layer, module: i, gradients: true) { tensors[name] = tensor }
        }
        tensors["loss"] = Tensor(scalar: lossValue)
        tensors["input"] = Tensor(network.inputGradient)
        return SafetensorsFile(tensors: tensors, metadata: metadata(layers, loss))
    }

    /// Writes ``gradients(of:loss:lossValue:)`` to `path` atomically.
    public static func writeGradients<T: Scalar>(
        of network: Network<T>, loss: Loss, lossValue: T, to path: String
    ) throws(FormatError) {
        try gradients(of: network, loss: loss, lossValue: lossValue).write(to: path)
    }

    private static func metadata<T: Scalar>(_ layers: [Layer<T>], _ loss: Loss) -> [String: String] {
        [layersKey: layers.map(\.spec.token).joined(separator: ","), lossKey: loss.rawValue]
    }

    /// The module list, loss and dtype of a file, checked against its tensors.
    private struct Layout {
        enum Module {
            case linear(index: Int, rows: Int, columns: Int)
            case activation(Activation)
            case dropout(Double)
            case layerNorm(index: Int, features: Int, epsilon: Double)
            case batchNorm(index: Int, features: Int, epsilon: Double, momentum: Double)
        }
        var modules: [Module] = []
        var loss = Loss.crossEntropy
        var dtype = DType.float32

        init(_ contents: SafetensorsFile, file: String) throws(FormatError) {
            let key = ModelFile.layersKey
            guard let list = contents.metadata[key] else {
                throw FormatError(
                    file: file, kind: .invalidMetadata,
                    expected: "__metadata__ \"\(key)\" listing the module kinds (e.g. linear,relu,linear)",
                    found: "no such key")
            }
            if let name = contents.metadata[ModelFile.lossKey] {
                guard let l = Loss(rawValue: name) else {
                    throw FormatError(
                        file: file, kind: .invalidMetadata,
                        expected: "\(ModelFile.lossKey) one of " + Loss.allCases.map(\.rawValue).joined(separator: ", "),
                        found: JSON.quote(name))
                }
                loss = l
            }
            let specs: [ModuleSpec]
            do { specs = try ModuleSpec.parseList(list) } catch {
                throw FormatError(
                    file: file, kind: .invalidMetadata, expected: "\(key) of known module kinds with valid arguments",
                    found: error.description)
            }
            var used = Set<String>()
            var previous: (name: String, width: Int)?
            var dtypeSource: String?
            var hasLinear = false

            /// The floating-point tensor `name` of module `i`, checked for presence and dtype.
            func floating(_ name: String, _ i: Int, _ spec: ModuleSpec) throws(FormatError) -> [Int] {
                guard let t = contents.tensors[name] else {
                    throw FormatError(
                        file: file, kind: .missingTensor,
                        expected: "tensor \(JSON.quote(name)) for module \(i) (\(spec.kind)) of \(key)", found: "none")
                }
                guard [.float32, .float64, .float16, .bfloat16].contains(t.dtype) else {
                    throw FormatError(
                        file: file, kind: .unsupportedDType, expected: "floating-point parameters",
                        found: "\(t.dtype) tensor \(JSON.quote(name))")
                }
                if let source = dtypeSource, let first = contents.tensors[source], first.dtype != t.dtype {
                    throw FormatError(
                        file: file, kind: .tensorMismatch,
                        expected: "one dtype for all tensors (\(first.dtype) in \(JSON.quote(source)))",
                        found: "\(t.dtype) in \(JSON.quote(name))")
                }
                if dtypeSource == nil {
                    dtypeSource = name
                    dtype = t.dtype
                }
                used.insert(name)
                return t.shape
            }
            /// A normalisation's `[features]` vectors, all of one positive width matching the
            /// incoming one.
            func vectors(_ names: [String], _ i: Int, _ spec: ModuleSpec) throws(FormatError) -> Int {
                var width: Int?
                for name in names {
                    let shape = try floating(name, i, spec)
                    guard shape.count == 1, shape[0] > 0 else {
                        throw FormatError(
                            file: file, kind: .tensorMismatch, expected: "\(JSON.quote(name)) of shape [features]",
                            found: "shape \(shape)")
                    }
                    let expected = width ?? previous?.width ?? shape[0]
                    guard shape[0] == expected else {
                        let source = width == nil ? "the outputs of \(JSON.quote(previous?.name ?? ""))" : JSON.quote(names[0])
                        throw FormatError(
                            file: file, kind: .tensorMismatch,
                            expected: "\(JSON.quote(name)) of shape [\(expected)] (as \(source))", found: "shape \(shape)")
                    }
                    width = shape[0]
                }
                return width ?? 0
            }
            func argument(_ spec: ModuleSpec, _ k: Int, _ fallback: Double) -> Double {
                k < spec.arguments.count ? spec.arguments[k] : fallback
            }
            func invalid(_ i: Int, _ spec: ModuleSpec, _ error: ModuleSpecError) -> FormatError {
                FormatError(
                    file: file, kind: .invalidMetadata, expected: "valid arguments for module \(i) of \(key)",
                    found: "\(JSON.quote(spec.token)): \(error)")
            }

            for (i, spec) in specs.enumerated() {
                switch spec.kind {
                case "linear":
                    let (w, b) = ("\(i).weight", "\(i).bias")
                    let weightShape = try floating(w, i, spec)
                    let biasShape = try floating(b, i, spec)
                    guard weightShape.count == 2, weightShape[0] > 0, weightShape[1] > 0 else {
                        throw FormatError(
                            file: file, kind: .tensorMismatch, expected: "\(JSON.quote(w)) of shape [out, in], both positive",
                            found: "shape \(weightShape)")
                    }
                    guard biasShape == [weightShape[0]] else {
                        throw FormatError(
                            file: file, kind: .tensorMismatch,
                            expected: "\(JSON.quote(b)) of shape [\(weightShape[0])] (the rows of \(w))",
                            found: "shape \(biasShape)")
                    }
                    if let previous, previous.width != weightShape[1] {
                        throw FormatError(
                            file: file, kind: .tensorMismatch,
                            expected: "\(JSON.quote(w)) with \(previous.width) inputs (the outputs of \(JSON.quote(previous.name)))",
                            found: "shape \(weightShape)")
                    }
                    previous = (w, weightShape[0])
                    hasLinear = true
                    modules.append(.linear(index: i, rows: weightShape[0], columns: weightShape[1]))
                case "dropout":
                    let p = argument(spec, 0, 0.5)
                    guard p >= 0, p <= 1 else {
                        throw invalid(i, spec, .invalidArgument(kind: "dropout", name: "p", value: p, expected: "between 0 and 1"))
                    }
                    modules.append(.dropout(p))
                case "layer_norm":
                    let eps = argument(spec, 0, 1e-5)
                    guard eps >= 0, eps.isFinite else {
                        throw invalid(i, spec, .invalidArgument(kind: "layer_norm", name: "eps", value: eps, expected: "a finite number ≥ 0"))
                    }
                    let f = try vectors(["\(i).weight", "\(i).bias"], i, spec)
                    previous = ("\(i).weight", f)
                    modules.append(.layerNorm(index: i, features: f, epsilon: eps))
                case "batch_norm":
                    let eps = argument(spec, 0, 1e-5)
                    let momentum = argument(spec, 1, 0.1)
                    guard eps >= 0, eps.isFinite else {
                        throw invalid(i, spec, .invalidArgument(kind: "batch_norm", name: "eps", value: eps, expected: "a finite number ≥ 0"))
                    }
                    guard momentum >= 0, momentum <= 1 else {
                        throw invalid(
                            i, spec, .invalidArgument(kind: "batch_norm", name: "momentum", value: momentum, expected: "between 0 and 1"))
                    }
                    let f = try vectors(
                        ["\(i).weight", "\(i).bias", "\(i).running_mean", "\(i).running_var"], i, spec)
                    let tracked = "\(i).num_batches_tracked"
                    guard let t = contents.tensors[tracked] else {
                        throw FormatError(
                            file: file, kind: .missingTensor,
                            expected: "tensor \(JSON.quote(tracked)) for module \(i) (batch_norm) of \(key)", found: "none")
                    }
                    guard t.dtype == .int64, t.shape.isEmpty || t.shape == [1] else {
                        throw FormatError(
                            file: file, kind: .tensorMismatch, expected: "\(JSON.quote(tracked)) an I64 scalar (shape [])",
                            found: "\(t.dtype) of shape \(t.shape)")
                    }
                    used.insert(tracked)
                    previous = ("\(i).weight", f)
                    modules.append(.batchNorm(index: i, features: f, epsilon: eps, momentum: momentum))
                default:
                    do {
                        modules.append(.activation(try Activation(kind: spec.kind, arguments: spec.arguments)))
                    } catch {
                        throw invalid(i, spec, error)
                    }
                }
            }
            guard hasLinear else {
                throw FormatError(
                    file: file, kind: .invalidMetadata, expected: "at least one linear module in \(key)",
                    found: JSON.quote(list))
            }
            let extra = contents.tensors.keys.filter { !used.contains($0) }.sorted()
            if let first = extra.first {
                throw FormatError(
                    file: file, kind: .unexpectedTensor, expected: "only the tensors of the modules in \(key)",
                    found: extra.count == 1 ? JSON.quote(first) : "\(JSON.quote(first)) and \(extra.count - 1) more")
            }
        }
    }

    @_specialize(where T == Float) @_specialize(where T == Double)
    private static func build<T: Scalar>(
        _ layout: Layout, _ contents: SafetensorsFile, file: String, as type: T.Type, backend: any Backend
    ) throws(FormatError) -> SavedModel<T> {
        func values(_ name: String) throws(FormatError) -> [T] {
            guard let t = contents.tensors[name] else {
                throw FormatError(file: file, kind: .missingTensor, expected: "tensor \(JSON.quote(name))", found: "none")
            }
            var v: [T]
            do { v = try t.scalars(as: T.self) } catch {
                throw FormatError(file: file, kind: .tensorMismatch, expected: error.expected, found: "\(error.found) in \(JSON.quote(name))")
            }
            if let bad = v.firstIndex(where: { !$0.isFinite }) {
                throw FormatError(
                    file: file, kind: .nonFinite, expected: "finite parameters",
                    found: "\(v[bad]) at element \(bad) of \(JSON.quote(name))")
            }
            return v
        }
        var layers: [Layer<T>] = []
        for module in layout.modules {
            switch module {
            case .activation(let a):
                layers.append(.activation(a))
            case .dropout(let p):
                layers.append(.dropout(probability: p))
            case .linear(let i, let rows, let columns):
                let weight = Matrix(rows: rows, columns: columns, elementsUnchecked: try values("\(i).weight"))
                layers.append(.dense(Dense(unchecked: weight, bias: try values("\(i).bias"))))
            case .layerNorm(let i, _, let eps):
                layers.append(.layerNorm(LayerNorm(unchecked: try values("\(i).weight"), bias: try values("\(i).bias"), epsilon: eps)))
            case .batchNorm(let i, _, let eps, let momentum):
                let variance = try values("\(i).running_var")
                if let bad = variance.firstIndex(where: { $0 < 0 }) {
                    throw FormatError(
                        file: file, kind: .tensorMismatch, expected: "a running variance ≥ 0",
                        found: "\(variance[bad]) at element \(bad) of \(JSON.quote("\(i).running_var"))")
                }
                let name = "\(i).num_batches_tracked"
                let tracked: Int
                do { tracked = try contents.tensors[name]?.integers().first ?? 0 } catch {
                    throw FormatError(file: file, kind: .tensorMismatch, expected: error.expected, found: "\(error.found) in \(JSON.quote(name))")
                }
                guard tracked >= 0 else {
                    throw FormatError(
                        file: file, kind: .tensorMismatch, expected: "\(JSON.quote(name)) ≥ 0", found: "\(tracked)")
                }
                layers.append(
                    .batchNorm(
                        BatchNorm(
                            unchecked: try values("\(i).weight"), bias: try values("\(i).bias"),
                            runningMean: try values("\(i).running_mean"), runningVariance: variance,
                            batchesTracked: tracked, epsilon: eps, momentum: momentum)))
            }
        }
        do {
            return SavedModel(network: try Network(layers: layers, backend: backend), loss: layout.loss)
        } catch {
            throw FormatError(file: file, kind: .tensorMismatch, expected: "a valid network", found: error.description)
        }
    }
}
