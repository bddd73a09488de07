import Testing

@testable import Perceptron

/// Every loss with every target kind it accepts, on a 4 × 3 batch.
private func cases() -> [(Loss, Targets<Double>)] {
    let probabilities = randomProbabilities(4, 3, seed: 11)
    let values: Matrix<Double> = randomMatrix(4, 3, seed: 12, in: 0, 1)
    return [
        (.crossEntropy, .classes([0, 2, 1, 2])),
        (.crossEntropy, .probabilities(probabilities)),
        (.categoricalCrossEntropy, .classes([0, 2, 1, 2])),
        (.categoricalCrossEntropy, .probabilities(probabilities)),
        (.mse, .values(values)),
        (.bce, .values(values)),
    ]
}

@Test func everyLossGradientMatchesCentralDifferences() throws {
    for (loss, targets) in cases() {
        // Categorical cross-entropy takes probabilities: feed it a softmax output's range (0, 1).
        let y: Matrix<Double> =
            loss == .categoricalCrossEntropy
            ? randomMatrix(4, 3, seed: 5, in: 0.1, 0.9) : randomMatrix(4, 3, seed: 5, in: -2, 2)
        let analytic = try loss.gradient(y, targets)
        let numeric = numericGradient(y.elements) { e in
            try! loss.value(Matrix(rows: 4, columns: 3, elements: e), targets)
        }
        // Central differences in Double: relative error ≤ 1e-6.
        #expect(relativeError(analytic.elements, numeric) <= 1e-6, "\(loss) \(targets)")
    }
}

@Test func lossesAverageAsPyTorchDoes() throws {
    // Hand-computed: mse and bce average over all N·C elements, cross-entropy over the N rows.
    let y = try Matrix<Double>([[1, 2], [3, 5]])
    let t = try Matrix<Double>([[0, 2], [1, 1]])
    #expect(try Loss.mse.value(y, .values(t)) == (1.0 + 0 + 4 + 16) / 4)
    let z = try Matrix<Double>([[0, 0]])
    #expect(abs(try Loss.bce.value(z, .values(try Matrix([[1, 0]]))) - Double.log(2)) < 1e-15)
    #expect(
        abs(try Loss.crossEntropy.value(try Matrix<Double>([[0, 0], [0, 0]]), .classes([0, 1])) - Double.log(2)) < 1e-15
    )
}

@Test func fusedSoftmaxCrossEntropyGradientEqualsCategoricalCrossEntropyThroughSoftmaxJacobian() throws {
    // Seeds: dL/dz = Σ_j (−t_j/(N·S_j))·S_j(δ_jk − S_k) = (S − t)/N.
    let z: Matrix<Double> = randomMatrix(5, 4, seed: 21, in: -3, 3)
    for targets in [Targets<Double>.classes([0, 3, 1, 1, 2]), .probabilities(randomProbabilities(5, 4, seed: 22))] {
        let fused = try Loss.crossEntropy.gradient(z, targets)
        let s = Activation.softmax.forward(z)
        let dS = try Loss.categoricalCrossEntropy.gradient(s, targets)
        let chained = try Activation.softmax.backward(input: z, output: s, upstream: dS)
        // Two roundings of O(1) quantities apart: 1e-15 absolute.
        #expect(maxRelativeDifference(fused.elements, chained.elements) < 1e-15)
        #expect(
            abs(try Loss.crossEntropy.value(z, targets) - (try Loss.categoricalCrossEntropy.value(s, targets))) < 1e-14)
    }
}

@Test func logitsOfTenThousandGiveFiniteLossesAndGradients() throws {
    let z = try Matrix<Float>([[1e4, -1e4, 0], [-1e4, 1e4, 1e4], [-1e4, -1e4, -1e4]])
    let targetRows = try Matrix<Float>([[0, 1, 0], [1, 0, 0], [0.5, 0, 0.5]])
    let pairs: [(Loss, Targets<Float>)] = [
        (.crossEntropy, .classes([1, 0, 2])), (.crossEntropy, .probabilities(targetRows)),
        (.bce, .values(targetRows)), (.mse, .values(targetRows)),
    ]
    for (loss, targets) in pairs {
        let value = try loss.value(z, targets)
        let gradient = try loss.gradient(z, targets)
        #expect(value.isFinite, "\(loss)")
        #expect(gradient.elements.allSatisfy { $0.isFinite }, "\(loss)")
    }
    // Class 1 of row 0 is 2e4 below the maximum: the loss is exactly that gap / 3 rows.
    let ce = try Loss.crossEntropy.value(try Matrix<Float>([[1e4, -1e4]]), .classes([1]))
    #expect(ce == 2e4)
}

@Test func classIndexOutOfRangeThrowsNamingSample() {
    #expect(throws: ShapeError.self) {
        try Loss.crossEntropy.value(Matrix<Double>(rows: 2, columns: 3), .classes([0, 3]))
    }
}
