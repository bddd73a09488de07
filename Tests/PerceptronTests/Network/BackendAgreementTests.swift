import Testing

@testable import Perceptron

/// Loss, output and every gradient of one network on BLAS and on the naive backend.
private func passes<T: Scalar>(
    _: T.Type, backend: any Backend, sizes: [Int] = [20, 17, 9, 5], batch: Int = 7, activation: Activation = .gelu
) throws -> (loss: T, output: [T], gradients: [T], input: [T]) {
    var g = SeededGenerator(seed: 42)
    var network = try Network<T>(
        sizes: sizes, activation: activation, initializer: .pytorch, using: &g, backend: backend)
    let x: Matrix<T> = randomMatrix(batch, sizes[0], seed: 43)
    let classes = sizes[sizes.count - 1]
    let loss = try network.lossAndGradients(
        for: x, targets: .classes((0..<batch).map { $0 % classes }), loss: .crossEntropy)
    return (loss, try network.predict(x).elements, network.gradients, network.inputGradient.elements)
}

// Large enough that, with 2 or more threads, the products of the first two layers and the dX
// product feeding the first layer's activation backward are divided among threads (by rows,
// and at 8 and 16 threads by columns too) with their epilogues fused (see ProductPartition,
// GEMMEpilogue).
@Test(.enabled(if: BLASBackend.isAvailable), arguments: [Activation.relu, .gelu, .sigmoid, .softmax])
func blasAndNaiveBackendsAgreeOnANetworkLargeEnoughToDivideItsProducts(activation: Activation) throws {
    let sizes = [200, 256, 64, 10]
    let f2 = try passes(Float.self, backend: NaiveBackend(), sizes: sizes, batch: 64, activation: activation)
    for threads in [1, 2, 4, 8, 16] {
        for splits in [true, false] {
            let f1 = try passes(
                Float.self, backend: try BLASBackend(threads: threads, splitsAcrossThreads: splits), sizes: sizes,
                batch: 64, activation: activation)
            let label = "\(threads) threads, splits \(splits)"
            #expect(maxRelativeDifference([f1.loss], [f2.loss]) <= 1e-5, "\(label)")
            #expect(maxRelativeDifference(f1.output, f2.output) <= 1e-5, "\(label)")
            #expect(maxRelativeDifference(f1.gradients, f2.gradients) <= 1e-5, "\(label)")
            #expect(maxRelativeDifference(f1.input, f2.input) <= 1e-5, "\(label)")
        }
    }
}

@Test(.enabled(if: BLASBackend.isAvailable))
func blasAndNaiveBackendsGiveTheSameLossAndGradients() throws {
    let blas = try BLASBackend()
    // Different summation orders only: Float within 1e-5 relative, Double within 1e-12
    // (relative to max(|a|, |b|, 1): gradients of order 1e-2 compare absolutely at that scale).
    let f1 = try passes(Float.self, backend: blas)
    let f2 = try passes(Float.self, backend: NaiveBackend())
    #expect(maxRelativeDifference([f1.loss], [f2.loss]) <= 1e-5)
    #expect(maxRelativeDifference(f1.output, f2.output) <= 1e-5)
    #expect(maxRelativeDifference(f1.gradients, f2.gradients) <= 1e-5)
    #expect(maxRelativeDifference(f1.input, f2.input) <= 1e-5)
    let d1 = try passes(Double.self, backend: blas)
    let d2 = try passes(Double.self, backend: NaiveBackend())
    #expect(maxRelativeDifference([d1.loss], [d2.loss]) <= 1e-12)
    #expect(maxRelativeDifference(d1.output, d2.output) <= 1e-12)
    #expect(maxRelativeDifference(d1.gradients, d2.gradients) <= 1e-12)
    #expect(maxRelativeDifference(d1.input, d2.input) <= 1e-12)
}
