import Testing

@testable import Perceptron

/// Networks of 1–4 dense layers covering every activation and loss, with odd widths.
private func architectures() -> [(layers: [Layer<Double>], loss: Loss, outputs: Int)] {
    var g = SeededGenerator(seed: 1234)
    func dense(_ i: Int, _ o: Int) -> Layer<Double> {
        .dense(Dense(inputSize: i, outputSize: o, initializer: .pytorch, using: &g))
    }
    return [
        ([dense(3, 2)], .crossEntropy, 2),
        ([dense(3, 5), .activation(.relu), dense(5, 4)], .crossEntropy, 4),
        ([dense(3, 5), .activation(.tanh), dense(5, 1), .activation(.sigmoid)], .mse, 1),
        ([dense(3, 4), .activation(.gelu), dense(4, 3), .activation(.leakyReLU()), dense(3, 2)], .bce, 2),
        (
            [
                dense(3, 6), .activation(.sigmoid), dense(6, 5), .activation(.gelu), dense(5, 4), .activation(.tanh),
                dense(4, 3),
            ],
            .crossEntropy, 3
        ),
        ([dense(3, 4), .activation(.relu), dense(4, 3), .activation(.softmax)], .categoricalCrossEntropy, 3),
        ([.activation(.tanh), dense(3, 4), .activation(.relu), .activation(.gelu), dense(4, 2)], .mse, 2),
    ]
}

private func targets(_ loss: Loss, batch: Int, outputs: Int) -> Targets<Double> {
    switch loss.kind {
    case .crossEntropy, .categoricalCrossEntropy: .classes((0..<batch).map { $0 % outputs })
    case .mse, .bce: .values(randomMatrix(batch, outputs, seed: 77, in: 0, 1))
    }
}

/// Batch 1 takes the single-sample (?gemv) forward path; batch 5 the GEMM path.
@Test(arguments: [1, 5], [NaiveBackend() as any Backend, defaultBackend()])
func networkGradientsMatchCentralDifferencesForEveryParameterAndTheInput(batch: Int, backend: any Backend) throws {
    for (index, architecture) in architectures().enumerated() {
        var network = try Network(layers: architecture.layers, backend: backend)
        let x: Matrix<Double> = randomMatrix(batch, 3, seed: 31, in: -1, 1)
        let t = targets(architecture.loss, batch: batch, outputs: architecture.outputs)
        try network.lossAndGradients(for: x, targets: t, loss: architecture.loss)
        let analyticParameters = network.gradients
        let analyticInput = network.inputGradient.elements

        var probe = network
        let numericParameters = numericGradient(network.parameters) { p in
            try! probe.setParameters(p)
            return try! probe.evaluate(x, targets: t, loss: architecture.loss).loss
        }
        let numericInput = numericGradient(x.elements) { e in
            try! probe.setParameters(network.parameters)
            return try! probe.evaluate(
                Matrix(rows: batch, columns: 3, elements: e), targets: t, loss: architecture.loss
            )
            .loss
        }
        // Central differences in Double: relative error ≤ 1e-6.
        #expect(relativeError(analyticParameters, numericParameters) <= 1e-6, "architecture \(index), batch \(batch)")
        #expect(relativeError(analyticInput, numericInput) <= 1e-6, "architecture \(index)")
    }
}

@Test func networkGradientsEqualDenseLayerBackwardChain() throws {
    // The fused, workspace-based pass computes what Dense.backward and Activation.backward do.
    var g = SeededGenerator(seed: 5)
    var d1 = Dense<Double>(inputSize: 4, outputSize: 3, initializer: .xavier, using: &g)
    var d2 = Dense<Double>(inputSize: 3, outputSize: 2, initializer: .xavier, using: &g)
    var network = try Network(layers: [.dense(d1), .activation(.tanh), .dense(d2)], backend: NaiveBackend())
    let x: Matrix<Double> = randomMatrix(6, 4, seed: 6)
    let t = Targets<Double>.classes([0, 1, 1, 0, 1, 0])
    try network.lossAndGradients(for: x, targets: t, loss: .crossEntropy)

    let z1 = try d1.forward(x, backend: NaiveBackend())
    let a1 = Activation.tanh.forward(z1)
    let z2 = try d2.forward(a1, backend: NaiveBackend())
    let dz2 = try Loss.crossEntropy.gradient(z2, t)
    let da1 = try d2.backward(input: a1, upstream: dz2, backend: NaiveBackend())
    let dz1 = try Activation.tanh.backward(input: z1, output: a1, upstream: da1)
    let dx = try d1.backward(input: x, upstream: dz1, backend: NaiveBackend())

    #expect(maxRelativeDifference(network.dense(at: 0)!.weightGradient.elements, d1.weightGradient.elements) < 1e-14)
    #expect(maxRelativeDifference(network.dense(at: 0)!.biasGradient, d1.biasGradient) < 1e-14)
    #expect(maxRelativeDifference(network.dense(at: 2)!.weightGradient.elements, d2.weightGradient.elements) < 1e-14)
    #expect(maxRelativeDifference(network.inputGradient.elements, dx.elements) < 1e-14)
    #expect(maxRelativeDifference(try network.predict(x).elements, z2.elements) < 1e-14)
}

@Test func consecutiveDenseLayersOfDifferentWidthsThrow() {
    var g = SeededGenerator(seed: 1)
    #expect(throws: ShapeError.self) {
        try Network<Float>(layers: [
            .dense(Dense(inputSize: 3, outputSize: 4, using: &g)), .activation(.relu),
            .dense(Dense(inputSize: 5, outputSize: 2, using: &g)),
        ])
    }
}

@Test func mlpConstructorNumbersModulesAsSequential() throws {
    var g = SeededGenerator(seed: 1)
    let network = try Network<Float>(sizes: [784, 256, 128, 10], using: &g)
    #expect(network.layers.map(\.kind) == ["linear", "relu", "linear", "relu", "linear"])
    #expect(network.parameterCount == 784 * 256 + 256 + 256 * 128 + 128 + 128 * 10 + 10)
    #expect(network.inputSize == 784 && network.outputSize == 10)
    #expect(network.dense(at: 2)?.weight.shape == [128, 256])
}

@Test func inputOfWrongWidthThrows() throws {
    var g = SeededGenerator(seed: 1)
    let network = try Network<Double>(sizes: [3, 2], using: &g)
    #expect(throws: ShapeError.self) { try network.predict(Matrix(rows: 2, columns: 4)) }
}

@Test func largeBatchesRunInChunksWithTheSameResults() throws {
    // 2500 rows run as chunks of 1024; each row's output is independent of the others, and the
    // chunked loss is the row-weighted mean of chunk means (equal up to rounding, 1e-12).
    var g = SeededGenerator(seed: 20)
    var network = try Network<Double>(sizes: [3, 5, 4], using: &g, backend: NaiveBackend())
    let x: Matrix<Double> = randomMatrix(2500, 3, seed: 21)
    let labels = (0..<2500).map { $0 % 4 }
    let whole = try network.predict(x)
    #expect(whole.shape == [2500, 4])
    #expect(try network.predict(x.rows(2000..<2500)) == whole.rows(2000..<2500))
    let chunked = try network.evaluate(x, targets: .classes(labels), loss: .crossEntropy)
    let direct = try Loss.crossEntropy.value(whole, .classes(labels))
    #expect(abs(chunked.loss - direct) < 1e-12)
}
