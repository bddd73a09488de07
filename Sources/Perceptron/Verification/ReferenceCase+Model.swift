/// Builds the network a model file describes (the layout of issue 5): `perceptron.layers` lists
/// the module kinds, linear module `i` has `{i}.weight` `[out, in]` and `{i}.bias` `[out]`,
/// `perceptron.loss` names the loss (cross-entropy when absent).
/// - Throws: ``FormatError`` naming `path` for unknown kinds or losses, missing, extra or
///   mis-shaped tensors, or a dtype other than `T`'s.
func loadNetwork<T: Scalar>(
    as type: T.Type, from file: SafetensorsFile, file path: String, backend: any Backend
) throws(FormatError) -> (Network<T>, Loss) {
    guard let list = file.metadata["perceptron.layers"] else {
        throw FormatError(file: path, kind: .invalidMetadata, expected: "metadata perceptron.layers", found: "none")
    }
    let lossName = file.metadata["perceptron.loss"] ?? Loss.crossEntropy.rawValue
    guard let loss = Loss(rawValue: lossName) else {
        throw FormatError(file: path, kind: .invalidMetadata, expected: "a known perceptron.loss", found: JSON.quote(lossName))
    }
    var layers: [Layer<T>] = []
    var used = Set<String>()
    for (index, kind) in list.split(separator: ",", omittingEmptySubsequences: false).enumerated() {
        let kind = String(kind)
        if kind == "linear" {
            let weightName = "\(index).weight"
            let biasName = "\(index).bias"
            guard let w = file.tensors[weightName], let b = file.tensors[biasName] else {
                throw FormatError(file: path, kind: .missingTensor, expected: "\(weightName) and \(biasName)", found: "no such tensor")
            }
            guard w.shape.count == 2, b.shape == [w.shape[0]] else {
                throw FormatError(
                    file: path, kind: .tensorMismatch, expected: "\(weightName) [out, in] and \(biasName) [out]",
                    found: "\(w.shape) and \(b.shape)")
            }
            let weight = try matrix(w, as: T.self, file: path)
            let bias = try matrix(Tensor(validatedDType: b.dtype, shape: [1, b.shape[0]], bytes: b.bytes), as: T.self, file: path)
            do {
                layers.append(.dense(try Dense(weight: weight, bias: bias.elements)))
            } catch {
                throw FormatError(file: path, kind: .tensorMismatch, expected: "consistent layer shapes", found: "\(error)")
            }
            used.insert(weightName)
            used.insert(biasName)
        } else if let activation = Activation(rawValue: kind) {
            layers.append(.activation(activation))
        } else {
            throw FormatError(file: path, kind: .invalidMetadata, expected: "a known layer kind at module \(index)", found: JSON.quote(kind))
        }
    }
    if let extra = file.tensors.keys.sorted().first(where: { !used.contains($0) }) {
        throw FormatError(file: path, kind: .unexpectedTensor, expected: "only the linear modules' tensors", found: extra)
    }
    do {
        return (try Network(layers: layers, backend: backend), loss)
    } catch {
        throw FormatError(file: path, kind: .tensorMismatch, expected: "consecutive layers whose widths agree", found: "\(error)")
    }
}
