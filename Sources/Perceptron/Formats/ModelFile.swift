/// Perceptron's model file: safetensors named as PyTorch's `nn.Sequential(...).state_dict()`
/// names them.
///
/// Module `i` that is a linear layer stores `{i}.weight` `[out, in]` and `{i}.bias` `[out]`;
/// activations store nothing. `__metadata__` holds `perceptron.layers`, the module kinds in
/// order, comma-separated (`linear,relu,linear`; kinds are `linear` and the raw values of
/// ``Activation``), and `perceptron.loss` (a raw value of ``Loss``; ``Loss/crossEntropy`` when
/// absent). All tensors share one dtype. So a PyTorch user loads a Perceptron model with
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
        var tensors: [String: Tensor] = [:]
        let layers = network.layers
        for (i, layer) in layers.enumerated() {
            guard case .dense(let d) = layer else { continue }
            tensors["\(i).weight"] = Tensor(d.weight)
            tensors["\(i).bias"] = Tensor(validatedDType: DType(T.precision), shape: [d.bias.count], bytes: Tensor.encode(d.bias))
        }
        return SafetensorsFile(tensors: tensors, metadata: metadata(layers, loss))
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
        var tensors: [String: Tensor] = [:]
        let layers = network.layers
        for (i, layer) in layers.enumerated() {
            guard case .dense(let d) = layer else { continue }
            tensors["\(i).weight"] = Tensor(d.weightGradient)
            tensors["\(i).bias"] = Tensor(
                validatedDType: DType(T.precision), shape: [d.biasGradient.count], bytes: Tensor.encode(d.biasGradient))
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
        [layersKey: layers.map(\.kind).joined(separator: ","), lossKey: loss.rawValue]
    }

    /// The module list, loss and dtype of a file, checked against its tensors.
    private struct Layout {
        enum Module {
            case linear(weight: String, bias: String)
            case activation(Activation)
        }
        var modules: [Module] = []
        var loss = Loss.crossEntropy
        var dtype = DType.float32

        init(_ contents: SafetensorsFile, file: String) throws(FormatError) {
            guard let list = contents.metadata[ModelFile.layersKey] else {
                throw FormatError(
                    file: file, kind: .invalidMetadata,
                    expected: "__metadata__ \"\(ModelFile.layersKey)\" listing the module kinds (e.g. linear,relu,linear)",
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
            // Kinds may be written with spaces after the commas: "linear, relu, linear".
            let kinds = list.split(separator: ",", omittingEmptySubsequences: false).map { part in
                String(part.drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
            }
            var used = Set<String>()
            var previous: (name: String, width: Int)?
            var dtypeSource: String?
            for (i, kind) in kinds.enumerated() {
                if kind != "linear" {
                    guard let a = Activation(rawValue: kind) else {
                        throw FormatError(
                            file: file, kind: .invalidMetadata,
                            expected: "module kinds from linear, " + Activation.allCases.map(\.rawValue).joined(separator: ", "),
                            found: "\(JSON.quote(kind)) at module \(i) of \(ModelFile.layersKey)")
                    }
                    modules.append(.activation(a))
                    continue
                }
                let (w, b) = ("\(i).weight", "\(i).bias")
                for name in [w, b] {
                    guard let t = contents.tensors[name] else {
                        throw FormatError(
                            file: file, kind: .missingTensor,
                            expected: "tensor \(JSON.quote(name)) for module \(i) (linear) of \(ModelFile.layersKey)", found: "none")
                    }
                    guard [.float32, .float64, .float16, .bfloat16].contains(t.dtype) else {
                        throw FormatError(
                            file: file, kind: .unsupportedDType, expected: "floating-point parameters",
                            found: "\(t.dtype) tensor \(JSON.quote(name))")
                    }
                    if let source = dtypeSource, let first = contents.tensors[source], first.dtype != t.dtype {
                        throw FormatError(
                            file: file, kind: .tensorMismatch, expected: "one dtype for all tensors (\(first.dtype) in \(JSON.quote(source)))",
                            found: "\(t.dtype) in \(JSON.quote(name))")
                    }
                    if dtypeSource == nil {
                        dtypeSource = name
                        dtype = t.dtype
                    }
                    used.insert(name)
                }
                let weightShape = contents.tensors[w]?.shape ?? []
                let biasShape = contents.tensors[b]?.shape ?? []
                guard weightShape.count == 2, weightShape[0] > 0, weightShape[1] > 0 else {
                    throw FormatError(
                        file: file, kind: .tensorMismatch, expected: "\(JSON.quote(w)) of shape [out, in], both positive",
                        found: "shape \(weightShape)")
                }
                guard biasShape == [weightShape[0]] else {
                    throw FormatError(
                        file: file, kind: .tensorMismatch, expected: "\(JSON.quote(b)) of shape [\(weightShape[0])] (the rows of \(w))",
                        found: "shape \(biasShape)")
                }
                if let previous, previous.width != weightShape[1] {
                    throw FormatError(
                        file: file, kind: .tensorMismatch,
                        expected: "\(JSON.quote(w)) with \(previous.width) inputs (the outputs of \(JSON.quote(previous.name)))",
                        found: "shape \(weightShape)")
                }
                previous = (w, weightShape[0])
                modules.append(.linear(weight: w, bias: b))
            }
            guard previous != nil else {
                throw FormatError(
                    file: file, kind: .invalidMetadata, expected: "at least one linear module in \(ModelFile.layersKey)",
                    found: JSON.quote(list))
            }
            let extra = contents.tensors.keys.filter { !used.contains($0) }.sorted()
            if let first = extra.first {
                throw FormatError(
                    file: file, kind: .unexpectedTensor, expected: "only the tensors of the linear modules in \(ModelFile.layersKey)",
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
            case .linear(let w, let b):
                let shape = contents.tensors[w]?.shape ?? []
                do {
                    let weight = try Matrix(rows: shape[0], columns: shape[1], elements: values(w))
                    layers.append(.dense(try Dense(weight: weight, bias: values(b))))
                } catch let error as FormatError {
                    throw error
                } catch {
                    throw FormatError(file: file, kind: .tensorMismatch, expected: "consistent shapes", found: "\(error)")
                }
            }
        }
        do {
            return SavedModel(network: try Network(layers: layers, backend: backend), loss: layout.loss)
        } catch {
            throw FormatError(file: file, kind: .tensorMismatch, expected: "a valid network", found: error.description)
        }
    }
}
