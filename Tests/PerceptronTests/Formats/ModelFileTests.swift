import Testing

@testable import Perceptron

private typealias Support = FormatTestSupport

private func modelError(_ contents: SafetensorsFile) -> FormatError? {
    Support.formatError { () throws(FormatError) in try ModelFile.decode(contents, file: "m.safetensors") }
}

/// A valid two-layer model file: linear(3→4), relu, linear(4→2), in float32.
private func validContents() throws -> SafetensorsFile {
    var g = SeededGenerator(seed: 4)
    let network = try Network<Float>(sizes: [3, 4, 2], using: &g)
    return ModelFile.encode(network, loss: .mse)
}

@Test func modelFileRoundTripsFloatAndDouble() throws {
    try check(Float.self)
    try check(Double.self)
    func check<T: Scalar>(_: T.Type) throws {
        var g = SeededGenerator(seed: 8)
        let layers: [Layer<T>] = [
            .dense(Dense(inputSize: 5, outputSize: 3, using: &g)), .activation(.gelu),
            .dense(Dense(inputSize: 3, outputSize: 1, using: &g)), .activation(.sigmoid),
        ]
        let network = try Network(layers: layers)
        let folder = Support.temporaryFolder()
        try ModelFile.write(network, loss: .bce, to: "\(folder)/m.safetensors")
        let back = try ModelFile.read(from: "\(folder)/m.safetensors", as: T.self)
        #expect(back.loss == .bce)
        #expect(back.network.parameters == network.parameters)
        #expect(back.network.layers.map(\.kind) == ["linear", "gelu", "linear", "sigmoid"])
        let contents = try SafetensorsFile.read(from: "\(folder)/m.safetensors")
        #expect(contents.metadata == ["perceptron.layers": "linear,gelu,linear,sigmoid", "perceptron.loss": "bce"])
        #expect(Set(contents.tensors.keys) == ["0.weight", "0.bias", "2.weight", "2.bias"])
        #expect(contents.tensors["0.weight"]?.shape == [3, 5] && contents.tensors["0.bias"]?.shape == [3])
        switch try ModelFile.read(from: "\(folder)/m.safetensors") {
        case .float32: #expect(T.precision == .float32)
        case .float64: #expect(T.precision == .float64)
        }
    }
}

@Test func pyTorchModelLoadsAndPredictsLikePyTorch() throws {
    guard case .float64(let model) = try ModelFile.read(from: Support.fixture("model_f64.safetensors")) else {
        Issue.record("expected a float64 model")
        return
    }
    #expect(model.loss == .crossEntropy)
    #expect(model.network.layers.map(\.kind) == "linear,relu,linear,tanh,linear,sigmoid,linear,gelu,linear,leaky_relu,linear".split(separator: ",").map(String.init))
    let x = try Matrix(rows: 2, columns: 3, elements: Support.fixtureFloats(6, as: Double.self))
    let expected = try NPY.read(from: Support.fixture("model_f64_output.npy")).matrix(as: Double.self)
    let y = try model.network.predict(x)
    // Same float64 operations as PyTorch up to summation order: agreement to ~1e-15; 1e-12 is loose.
    for (a, b) in zip(y.elements, expected.elements) { #expect(abs(a - b) <= 1e-12) }
}

@Test func gradientsFileMatchesPyTorchAutogradNamesAndValues() throws {
    var model = try ModelFile.read(from: Support.fixture("model_f64.safetensors"), as: Double.self)
    let x = try Matrix(rows: 2, columns: 3, elements: Support.fixtureFloats(6, as: Double.self))
    let loss = try model.network.lossAndGradients(for: x, targets: .classes([1, 0]), loss: .crossEntropy)
    let ours = ModelFile.gradients(of: model.network, loss: .crossEntropy, lossValue: loss)
    let torch = try SafetensorsFile.read(from: Support.fixture("model_f64_gradients.safetensors"))
    #expect(Set(ours.tensors.keys) == Set(torch.tensors.keys))
    for (name, reference) in torch.tensors {
        let mine = try #require(ours.tensors[name])
        #expect(mine.shape == reference.shape && mine.dtype == reference.dtype, "\(name)")
        // float64 on both sides, same formulas: 1e-12 absolute leaves room for summation order.
        for (a, b) in zip(try mine.scalars(as: Double.self), try reference.scalars(as: Double.self)) {
            #expect(abs(a - b) <= 1e-12, "\(name)")
        }
    }
    let folder = Support.temporaryFolder()
    try ModelFile.writeGradients(of: model.network, loss: .crossEntropy, lossValue: loss, to: "\(folder)/g.safetensors")
    #expect(try SafetensorsFile.read(from: "\(folder)/g.safetensors") == ours)
}

@Test func float32PyTorchModelWithoutLossDefaultsToCrossEntropy() throws {
    let model = try ModelFile.read(from: Support.fixture("model_f32.safetensors"))
    #expect(model.precision == .float32 && model.loss == .crossEntropy)
    let e = Support.formatError { () throws(FormatError) in
        try ModelFile.read(from: Support.fixture("model_f32.safetensors"), as: Double.self)
    }
    #expect(e?.kind == .tensorMismatch)
    #expect(e?.description.contains("model_f32.safetensors") == true)
}

@Test func missingOrMalformedMetadataIsRejected() throws {
    var c = try validContents()
    c.metadata["perceptron.layers"] = nil
    #expect(modelError(c)?.kind == .invalidMetadata)
    c = try validContents()
    c.metadata["perceptron.layers"] = "linear,swish,linear"
    let unknown = modelError(c)
    #expect(unknown?.kind == .invalidMetadata)
    #expect(unknown?.description.contains("\"swish\" at module 1") == true)
    c.metadata["perceptron.layers"] = "relu"
    #expect(modelError(c)?.description.contains("at least one linear module") == true)
    c = try validContents()
    c.metadata["perceptron.loss"] = "hinge"
    #expect(modelError(c)?.description.contains("\"hinge\"") == true)
    c = try validContents()
    c.metadata["perceptron.layers"] = "linear, relu, linear"
    #expect((try? ModelFile.decode(c)) != nil)  // spaces after commas are accepted
}

@Test func missingAndExtraTensorsAreNamed() throws {
    var c = try validContents()
    c.tensors["2.bias"] = nil
    let missing = modelError(c)
    #expect(missing?.kind == .missingTensor)
    #expect(missing?.description.contains("\"2.bias\"") == true)
    c = try validContents()
    c.tensors["extra"] = try Tensor([1] as [Float], shape: [1])
    let extra = modelError(c)
    #expect(extra?.kind == .unexpectedTensor)
    #expect(extra?.description.contains("\"extra\"") == true)
    c = try validContents()
    c.metadata["perceptron.layers"] = "linear,relu,relu,linear"
    #expect(modelError(c)?.kind == .missingTensor)  // module 3 needs 3.weight; 2.* are then extra
}

@Test func wrongShapesAndSizeChainsAreRejected() throws {
    var c = try validContents()
    c.tensors["0.bias"] = try Tensor([1, 2, 3] as [Float], shape: [3])
    #expect(modelError(c)?.description.contains("\"0.bias\" of shape [4]") == true)
    c = try validContents()
    c.tensors["2.weight"] = try Tensor([Float](repeating: 0, count: 10), shape: [2, 5])
    let chain = modelError(c)
    #expect(chain?.kind == .tensorMismatch)
    #expect(chain?.description.contains("4 inputs") == true)
    c = try validContents()
    c.tensors["0.weight"] = try Tensor([Float](repeating: 0, count: 12), shape: [12])
    #expect(modelError(c)?.kind == .tensorMismatch)
}

@Test func mixedDTypesAreRejected() throws {
    var c = try validContents()
    c.tensors["2.bias"] = try Tensor([1, 2] as [Double], shape: [2])
    let e = modelError(c)
    #expect(e?.kind == .tensorMismatch)
    #expect(e?.description.contains("one dtype") == true)
    c = try validContents()
    c.tensors["2.bias"] = try Tensor(integers: [1, 2], shape: [2], dtype: .int32)
    #expect(modelError(c)?.kind == .unsupportedDType)
}

@Test func nonFiniteParametersAreRejectedNamingTensorAndElement() throws {
    var c = try validContents()
    c.tensors["2.weight"] = try Tensor([0, 0, 0, 0, 0, .nan, 0, 0] as [Float], shape: [2, 4])
    let e = modelError(c)
    #expect(e?.kind == .nonFinite)
    #expect(e?.description.contains("element 5 of \"2.weight\"") == true)
}

@Test func halfPrecisionModelLoadsWidenedToFloat32() throws {
    // 1.0 and −2.0 in binary16 (0x3C00, 0xC000) and bfloat16 (0x3F80, 0xC000), little-endian.
    for (dtype, one, minusTwo) in [(DType.float16, [UInt8(0x00), 0x3C], [UInt8(0x00), 0xC0]), (.bfloat16, [0x80, 0x3F], [0x00, 0xC0])] {
        let contents = SafetensorsFile(
            tensors: [
                "0.weight": try Tensor(dtype: dtype, shape: [1, 2], bytes: one + minusTwo),
                "0.bias": try Tensor(dtype: dtype, shape: [1], bytes: one),
            ],
            metadata: ["perceptron.layers": "linear"])
        guard case .float32(let model) = try ModelFile.decode(contents) else {
            Issue.record("expected a float32 model for \(dtype)")
            continue
        }
        #expect(model.network.parameters == [1, -2, 1])
    }
}
