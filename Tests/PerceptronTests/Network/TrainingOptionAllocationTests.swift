import Testing

@testable import Perceptron

/// A training step with issue 15's options: cross-entropy with label smoothing and class
/// weights (class indices and probability rows), gradient clipping and RMSprop, with and without
/// momentum, allocates nothing once warm.
@Test(.enabled(if: countsAllocations))
func trainingStepWithEveryTrainingOptionAllocatesNothingAfterWarmUp() throws {
    var g = SeededGenerator(seed: 1)
    var network = try Network<Float>(sizes: [20, 16, 8, 4], using: &g, backend: NaiveBackend())
    let x: Matrix<Float> = randomMatrix(8, 20, seed: 2)
    let loss = try Loss(.crossEntropy, labelSmoothing: 0.1, classWeights: [1, 2, 0.5, 1.5])
    let probabilities = try Matrix<Float>(rows: 8, columns: 4, elements: [Float](repeating: 0.25, count: 32))
    for targets in [Targets<Float>.classes([0, 1, 2, 3, 0, 1, 2, 3]), .probabilities(probabilities)] {
        for momentum: Float in [0, 0.9] {
            var rmsprop = RMSprop<Float>(momentum: momentum)
            #expect(
                try mallocsPerCall {
                    _ = try network.lossAndGradients(for: x, targets: targets, loss: loss, inputGradient: false)
                    network.clipGradientNorm(to: 0.5)
                    network.update(using: &rmsprop)
                } == 0)
        }
    }
}
