import Testing

@testable import Perceptron

// Counted in release builds only (`mallocsPerCall`, `countsAllocations` in Support/). The naive
// backend keeps OpenBLAS's own thread-pool bookkeeping out of the count.

@Test(.enabled(if: countsAllocations))
func trainingStepAndInferenceAllocateNothingAfterWarmUp() throws {
    var g = SeededGenerator(seed: 1)
    var network = try Network<Float>(sizes: [20, 16, 8, 4], using: &g, backend: NaiveBackend())
    let x: Matrix<Float> = randomMatrix(8, 20, seed: 2)
    let targets = Targets<Float>.classes([0, 1, 2, 3, 0, 1, 2, 3])
    var adam = Adam<Float>()
    #expect(try mallocsPerCall { try network.trainStep(on: x, targets: targets, loss: .crossEntropy, optimizer: &adam) } == 0)
    var output = Matrix<Float>(rows: 8, columns: 4)
    #expect(try mallocsPerCall { try network.predict(x, into: &output) } == 0)
}

/// `predict(_:)` runs on a copy of the network: it allocates its output and a fresh workspace,
/// and must not copy the shared parameters or gradients (a copy-on-write of the gradient buffer
/// used to cost one allocation and a memmove of every parameter per call).
@Test(.enabled(if: countsAllocations))
func predictOnASharedNetworkAllocatesOnlyItsOutputAndWorkspace() throws {
    var g = SeededGenerator(seed: 1)
    let network = try Network<Float>(sizes: [20, 16, 8, 4], using: &g, backend: NaiveBackend())
    let x: Matrix<Float> = randomMatrix(1, 20, seed: 2)
    #expect(try mallocsPerCall { _ = try network.predict(x) } <= 2)
}

/// On BLAS at every thread count, with products large enough to be divided among threads:
/// OpenBLAS stays single-threaded inside the step (its threaded calls malloc a job buffer) and
/// Perceptron's pool allocates nothing per call once its helpers exist.
@Test(.enabled(if: countsAllocations && BLASBackend.isAvailable), arguments: [1, 2, 4, 8, 16])
func blasTrainingStepAllocatesNothingAtAnyThreadCount(threads: Int) throws {
    var g = SeededGenerator(seed: 1)
    var network = try Network<Float>(sizes: [784, 256, 128, 10], using: &g, backend: try BLASBackend(threads: threads))
    let x: Matrix<Float> = randomMatrix(128, 784, seed: 2)
    let targets = Targets<Float>.classes((0..<128).map { $0 % 10 })
    var adam = Adam<Float>()
    #expect(try mallocsPerCall { try network.trainStep(on: x, targets: targets, loss: .crossEntropy, optimizer: &adam) } == 0)
}

/// Every module kind in one training step (batch and layer normalisation, dropout, the newer
/// activations), on BLAS at several thread counts and on the naive backend: nothing allocated
/// once warm, in training and in evaluation.
@Test(.enabled(if: countsAllocations && BLASBackend.isAvailable), arguments: [0, 1, 2, 4])
func trainingStepWithEveryModuleKindAllocatesNothing(threads: Int) throws {
    var g = SeededGenerator(seed: 1)
    let backend: any Backend = threads == 0 ? NaiveBackend() : try BLASBackend(threads: threads)
    let d = { (i: Int, o: Int, g: inout SeededGenerator) -> Layer<Float> in
        .dense(Dense(inputSize: i, outputSize: o, using: &g))
    }
    var network = try Network<Float>(
        layers: [
            d(64, 48, &g), .batchNorm(BatchNorm(features: 48)), .activation(.relu), .dropout(probability: 0.2),
            d(48, 32, &g), .layerNorm(LayerNorm(features: 32)), .activation(.silu), d(32, 16, &g),
            .activation(.elu()), .activation(.softplus()), d(16, 10, &g),
        ], backend: backend)
    let x: Matrix<Float> = randomMatrix(32, 64, seed: 2)
    let targets = Targets<Float>.classes((0..<32).map { $0 % 10 })
    var adam = Adam<Float>()
    #expect(try mallocsPerCall { try network.trainStep(on: x, targets: targets, loss: .crossEntropy, optimizer: &adam) } == 0)
    var output = Matrix<Float>(rows: 32, columns: 10)
    #expect(try mallocsPerCall { try network.predict(x, into: &output) } == 0)
}
