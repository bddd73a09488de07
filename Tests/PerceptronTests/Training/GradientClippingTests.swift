import Testing

@testable import Perceptron

/// A network with gradients from one batch.
private func networkWithGradients() throws -> Network<Double> {
    var g = SeededGenerator(seed: 5)
    var network = try Network<Double>(sizes: [3, 4, 2], using: &g, backend: NaiveBackend())
    _ = try network.lossAndGradients(
        for: randomMatrix(6, 3, seed: 6, in: -2, 2), targets: .classes([0, 1, 1, 0, 1, 0]), loss: .crossEntropy)
    return network
}

private func norm(_ values: [Double]) -> Double { values.reduce(0) { $0 + $1 * $1 }.squareRoot() }

@Test func clippingScalesAllGradientsByMaxNormOverTheGlobalNorm() throws {
    var network = try networkWithGradients()
    let before = network.gradients
    let total = norm(before)
    let bound = total / 4
    let returned = network.clipGradientNorm(to: bound)
    #expect(abs(returned - total) < 1e-15 * total)
    // clip_grad_norm_: g·maxNorm/(‖g‖ + 1e-6), every parameter by the same factor.
    let factor = bound / (total + 1e-6)
    #expect(maxRelativeDifference(network.gradients, before.map { $0 * factor }) < 1e-15)
    #expect(abs(norm(network.gradients) - bound) < 1e-6)
}

@Test func clippingLeavesGradientsWithinTheBoundUnchanged() throws {
    var network = try networkWithGradients()
    let before = network.gradients
    network.clipGradientNorm(to: norm(before) * 2)
    #expect(network.gradients == before)
}

@Test func fitRejectsANonPositiveGradientBound() throws {
    var g = SeededGenerator(seed: 5)
    var network = try Network<Double>(sizes: [3, 2], using: &g, backend: NaiveBackend())
    var sgd = SGD<Double>()
    for bound in [0.0, -1, .nan] {
        #expect(throws: TrainingError.self) {
            try network.fit(
                randomMatrix(4, 3, seed: 1), .classes([0, 1, 0, 1]), loss: .crossEntropy, optimizer: &sgd,
                configuration: TrainingConfiguration(epochs: 1, maximumGradientNorm: bound))
        }
    }
}
