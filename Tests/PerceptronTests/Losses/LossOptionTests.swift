import Testing

@testable import Perceptron

/// Cross-entropy with label smoothing and class weights (issue 15): every combination, with
/// class indices and with probability rows, on a 5 × 4 batch.
private func optionCases() throws -> [(Loss, Targets<Double>)] {
    let probabilities = randomProbabilities(5, 4, seed: 21)
    let indices = Targets<Double>.classes([0, 3, 1, 3, 2])
    let weights = [0.5, 2.0, 1.25, 0.75]
    let losses = [
        try Loss(.crossEntropy, labelSmoothing: 0.1),
        try Loss(.crossEntropy, classWeights: weights),
        try Loss(.crossEntropy, labelSmoothing: 0.3, classWeights: weights),
        try Loss(.crossEntropy, labelSmoothing: 1),
    ]
    return losses.flatMap { [($0, indices), ($0, .probabilities(probabilities))] }
}

@Test func crossEntropyOptionGradientsMatchCentralDifferences() throws {
    for (loss, targets) in try optionCases() {
        let z: Matrix<Double> = randomMatrix(5, 4, seed: 8, in: -3, 3)
        let analytic = try loss.gradient(z, targets)
        let numeric = numericGradient(z.elements) { e in
            (try? loss.value(Matrix(rows: 5, columns: 4, elements: e), targets)) ?? .nan
        }
        // Central differences in Double (h = 1e-6): truncation O(h²) and rounding O(u/h) keep the
        // relative error near 1e-9; 1e-6 leaves room and is far below any formula error.
        #expect(relativeError(analytic.elements, numeric) <= 1e-6, "\(loss) \(targets)")
    }
}

@Test func neutralOptionsGiveThePlainCrossEntropy() throws {
    // ε = 0 with all weights 1 takes the options path; it must equal the plain kernel.
    let neutral = try Loss(.crossEntropy, labelSmoothing: 0, classWeights: [1, 1, 1, 1])
    let z: Matrix<Double> = randomMatrix(5, 4, seed: 9, in: -3, 3)
    for targets in [Targets<Double>.classes([0, 3, 1, 3, 2]), .probabilities(randomProbabilities(5, 4, seed: 22))] {
        // Same formula, different association: within a few ulps.
        #expect(abs(try neutral.value(z, targets) - (try Loss.crossEntropy.value(z, targets))) < 1e-15)
        #expect(
            maxRelativeDifference(try neutral.gradient(z, targets).elements, try Loss.crossEntropy.gradient(z, targets).elements)
                < 1e-15)
    }
}

@Test func classWeightedMeanDividesByTheWeightsOfTheTargetsClasses() throws {
    // Zero logits: every −log p = log C. Weighted: Σ w_y·log C / Σ w_y = log C, whatever the weights.
    let z = Matrix<Double>(rows: 3, columns: 2)
    let loss = try Loss(.crossEntropy, classWeights: [3, 0.5])
    #expect(abs(try loss.value(z, .classes([0, 1, 1])) - Double.log(2)) < 1e-15)
    // Logits (0, log 3): p = (1/4, 3/4). Targets 0, 1: (3·log 4 + 0.5·log(4/3)) / 3.5.
    let z2 = try Matrix<Double>([[0, Double.log(3)], [0, Double.log(3)]])
    let expected = (3 * Double.log(4) + 0.5 * Double.log(4.0 / 3)) / 3.5
    #expect(abs(try loss.value(z2, .classes([0, 1])) - expected) < 1e-15)
    // Probability rows divide by N instead: (3·log 4 + 0.5·log(4/3)) / 2.
    let rows = Targets<Double>.probabilities(try Matrix([[1, 0], [0, 1]]))
    #expect(abs(try loss.value(z2, rows) - (3 * Double.log(4) + 0.5 * Double.log(4.0 / 3)) / 2) < 1e-15)
}

@Test func fullLabelSmoothingIgnoresTheTargets() throws {
    // ε = 1: every target becomes 1/C, so the loss is the same for any labels.
    let loss = try Loss(.crossEntropy, labelSmoothing: 1)
    let z: Matrix<Double> = randomMatrix(3, 4, seed: 10, in: -2, 2)
    let a = try loss.value(z, .classes([0, 1, 2]))
    let b = try loss.value(z, .classes([3, 3, 0]))
    #expect(abs(a - b) < 1e-15)
}

@Test func invalidLossOptionsThrowNamingTheOption() throws {
    #expect(throws: LossError.labelSmoothingOutOfRange(1.5)) { try Loss(.crossEntropy, labelSmoothing: 1.5) }
    #expect(throws: LossError.labelSmoothingOutOfRange(-0.1)) { try Loss(.crossEntropy, labelSmoothing: -0.1) }
    #expect(throws: LossError.self) { try Loss(.crossEntropy, labelSmoothing: .nan) }
    #expect(throws: LossError.invalidClassWeight(index: 1, value: -1)) { try Loss(.crossEntropy, classWeights: [1, -1]) }
    #expect(throws: LossError.self) { try Loss(.crossEntropy, classWeights: [1, .infinity]) }
    #expect(throws: LossError.optionNeedsCrossEntropy(kind: "mse")) { try Loss(.mse, labelSmoothing: 0.1) }
    #expect("\(LossError.labelSmoothingOutOfRange(2))".contains("label smoothing"))
    // The number of weights is checked against the output width, with the targets.
    let loss = try Loss(.crossEntropy, classWeights: [1, 2, 3])
    #expect(throws: ShapeError.self) { try loss.value(Matrix<Double>(rows: 2, columns: 4), .classes([0, 1])) }
}

@Test func lossEqualityAndNamesFollowKindAndOptions() throws {
    let smoothed = try Loss(.crossEntropy, labelSmoothing: 0.1)
    #expect(smoothed != .crossEntropy)
    #expect(smoothed.rawValue == "cross-entropy")
    #expect(Loss(rawValue: "cross-entropy") == .crossEntropy)
    #expect("\(smoothed)" == "cross-entropy (label smoothing 0.1)")
    #expect(Loss.allCases.map(\.rawValue) == ["cross-entropy", "mse", "bce", "categorical-cross-entropy"])
}

/// A validation set evaluated in chunks (the training batch size) gives the loss of the whole
/// set at once, also when class weights make the mean a weighted one.
@Test func chunkedEvaluationWithClassWeightsEqualsTheWholeBatchLoss() throws {
    var g = SeededGenerator(seed: 3)
    var network = try Network<Double>(sizes: [4, 6, 3], using: &g, backend: NaiveBackend())
    let x: Matrix<Double> = randomMatrix(7, 4, seed: 4)
    let labels = [0, 2, 2, 1, 0, 2, 1]
    let loss = try Loss(.crossEntropy, labelSmoothing: 0.2, classWeights: [0.5, 3, 1])
    let whole = try loss.value(try network.predict(x), .classes(labels))
    for chunk in [1, 2, 3, 7] {
        let chunked = x.withUnsafeBufferPointer { xp in
            labels.withUnsafeBufferPointer { c in
                network.evaluateInChunks(xp, .classes(c), rows: 0..<7, batchSize: chunk, loss: loss).loss
            }
        }
        // A weighted mean of chunk means in Double: a few ulps from the one-pass mean.
        #expect(abs(chunked - whole) < 1e-14 * abs(whole), "chunk \(chunk)")
    }
}
