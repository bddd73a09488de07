import Testing

@testable import Perceptron

/// User mistakes at the library's public entry points throw typed errors instead of trapping:
/// wrong shapes, counts and widths, empty batches, out-of-range class indices and training
/// settings. (Index-based accessors such as `Matrix` subscripts trap like `Array`'s, by design.)

private func mlp(_ generator: inout SeededGenerator) throws -> Network<Double> {
    try Network<Double>(sizes: [3, 4, 2], using: &generator, backend: NaiveBackend())
}

@Test func matrixShapeMistakesThrowShapeError() {
    #expect(throws: ShapeError.self) { try Matrix<Float>(rows: -1, columns: 2, elements: []) }
    #expect(throws: ShapeError.self) { try Matrix<Float>(rows: 2, columns: 2, elements: [1, 2, 3]) }
    // rows · columns overflows Int: the product must not wrap around to the element count.
    #expect(throws: ShapeError.self) { try Matrix<Float>(rows: Int.max / 2 + 1, columns: 2, elements: []) }
    #expect(throws: ShapeError.self) { try Matrix<Float>([[1, 2], [3]]) }
    #expect(throws: ShapeError.self) { try Matrix<Float>(rows: 2, columns: 2, elements: [1, 2, 3, 4]).reshaped(rows: 3, columns: 1) }
    let a = Matrix<Double>(rows: 2, columns: 3)
    #expect(throws: ShapeError.self) { try NaiveBackend().matmul(a, a) }
    #expect(throws: ShapeError.self) { try NaiveBackend().matvec(a, [1, 2]) }
}

@Test func layerAndNetworkConstructionMistakesThrowShapeError() throws {
    var g = SeededGenerator(seed: 1)
    let weight = Matrix<Double>(rows: 2, columns: 3)
    #expect(throws: ShapeError.self) { try Dense(weight: weight, bias: [0, 0, 0]) }
    let dense = try Dense(weight: weight, bias: [0, 0])
    #expect(throws: ShapeError.self) { try dense.forward(Matrix(rows: 1, columns: 2), backend: NaiveBackend()) }
    #expect(throws: ShapeError.self) { try Network<Double>(layers: []) }
    #expect(throws: ShapeError.self) { try Network<Double>(layers: [.activation(.relu)]) }
    #expect(throws: ShapeError.self) { try Network<Double>(layers: [.dense(dense), .dense(dense)]) }
    for sizes in [[3], [3, 0], [3, -2, 2], []] {
        #expect(throws: ShapeError.self, "\(sizes)") { try Network<Double>(sizes: sizes, using: &g) }
    }
    // A layer whose weight count overflows Int: a typed error before anything is allocated.
    #expect(throws: ShapeError.self) { try Network<Float>(sizes: [1 << 32, 1 << 32, 2], using: &g) }
    var network = try mlp(&g)
    #expect(throws: ShapeError.self) { try network.setParameters([1, 2, 3]) }
    #expect(throws: ShapeError.self) { try network.setDense(dense, at: 0) }
    #expect(throws: ShapeError.self) { try network.setDense(dense, at: 1) }
    #expect(throws: ShapeError.self) { try network.setDense(dense, at: 99) }
    #expect(network.dense(at: -1) == nil)
}

@Test func inferenceAndLossMistakesThrowShapeError() throws {
    var g = SeededGenerator(seed: 2)
    var network = try mlp(&g)
    let x = Matrix<Double>(rows: 2, columns: 3, repeating: 0.5)
    #expect(throws: ShapeError.self) { try network.predict(Matrix(rows: 2, columns: 4)) }
    #expect(throws: ShapeError.self) { try network.predict(Matrix(rows: 0, columns: 3)) }
    var output = Matrix<Double>(rows: 0, columns: 0)
    #expect(throws: ShapeError.self) { try network.predict(Matrix(rows: 1, columns: 5), into: &output) }
    let badTargets: [Targets<Double>] = [
        .classes([0]), .classes([0, 2]), .classes([-1, 0]), .classes([0, Int.max]),
        .probabilities(Matrix(rows: 2, columns: 3)), .values(Matrix(rows: 3, columns: 2)),
    ]
    for targets in badTargets {
        #expect(throws: ShapeError.self, "\(targets)") {
            try network.lossAndGradients(for: x, targets: targets, loss: .crossEntropy)
        }
    }
    #expect(throws: ShapeError.self) {
        try network.lossAndGradients(for: x, targets: .classes([0, 1]), loss: .mse)
    }
    #expect(throws: ShapeError.self) { try Loss.bce.value(Matrix<Double>(rows: 2, columns: 2), .values(Matrix(rows: 2, columns: 1))) }
    #expect(throws: ShapeError.self) { try Loss.mse.gradient(Matrix<Double>(rows: 2, columns: 2), .values(Matrix(rows: 1, columns: 2))) }
}

@Test func trainingMistakesThrowTrainingError() throws {
    var g = SeededGenerator(seed: 3)
    var network = try mlp(&g)
    let x = Matrix<Double>(rows: 4, columns: 3, repeating: 0.25)
    let t = Targets<Double>.classes([0, 1, 1, 0])
    var sgd = SGD<Double>(learningRate: 0.1)
    let configurations = [
        TrainingConfiguration(epochs: -1), TrainingConfiguration(batchSize: 0),
        TrainingConfiguration(validationFraction: 1), TrainingConfiguration(validationFraction: .nan),
        TrainingConfiguration(validationFraction: 0.99), TrainingConfiguration(earlyStoppingPatience: 0),
        TrainingConfiguration(earlyStoppingPatience: 2),
    ]
    for configuration in configurations {
        #expect(throws: TrainingError.self, "\(configuration)") {
            try network.fit(x, t, loss: .crossEntropy, optimizer: &sgd, configuration: configuration)
        }
    }
    #expect(throws: TrainingError.self) { try network.fit(Matrix(rows: 0, columns: 3), .classes([]), loss: .crossEntropy, optimizer: &sgd) }
    #expect(throws: TrainingError.self) { try network.fit(x, .classes([0, 1, 2, 0]), loss: .crossEntropy, optimizer: &sgd) }
    #expect(throws: TrainingError.self) {
        try network.fit(x, t, loss: .crossEntropy, optimizer: &sgd, validation: (Matrix(rows: 1, columns: 2), .classes([0])))
    }
}

@Test func fileValueMistakesThrowFormatError() {
    #expect(throws: FormatError.self) { try Tensor(dtype: .float32, shape: [2], bytes: [0, 0, 0]) }
    #expect(throws: FormatError.self) { try Tensor(dtype: .float32, shape: [-1], bytes: []) }
    #expect(throws: FormatError.self) { try Tensor(integers: [300], shape: [1], dtype: .uint8) }
    #expect(throws: FormatError.self) { try Tensor(integers: [1], shape: [1], dtype: .float32) }
    #expect(throws: FormatError.self) { try Tensor([1, 2, 3] as [Float], shape: [2, 2]).matrix(as: Float.self) }
    #expect(throws: FormatError.self) { try Tensor([1, 2] as [Float], shape: [2]).integers() }
    #expect(throws: FormatError.self) { try IDXFile(elementType: .int16, dimensions: [3], data: [0, 0]) }
    #expect(throws: FormatError.self) { try IDXFile(elementType: .uint8, dimensions: [1 << 31, 1 << 31], data: []) }
    #expect(throws: FormatError.self) {
        try LabeledImages(images: Matrix<Float>(rows: 2, columns: 4), labels: [0], height: 2, width: 2)
    }
    #expect(throws: FormatError.self) {
        try LabeledImages(images: Matrix<Float>(rows: 1, columns: 4), labels: [0], height: Int.max, width: 2)
    }
}

/// `Targets.gathered` with an index outside the samples is a programmer error: it must trap
/// cleanly (like `Array`), never read outside the matrix. Checked here only for valid indices;
/// the precondition guards the rest.
@Test func gatheringTargetsKeepsTheRowsAsked() throws {
    let m = try Matrix<Double>(rows: 3, columns: 2, elements: [0, 1, 2, 3, 4, 5])
    guard case .values(let rows) = Targets.values(m).gathered([2, 0]) else { return }
    #expect(rows.elements == [4, 5, 0, 1])
}
