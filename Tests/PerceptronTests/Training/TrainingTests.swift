import Testing

@testable import Perceptron

/// Two interleaved spirals (one turn each) of `perClass` points: class 0 at angle θ, class 1 at θ + π.
private func spirals(perClass: Int, seed: UInt64) -> (Matrix<Double>, [Int]) {
    var g = SeededGenerator(seed: seed)
    var x = Matrix<Double>(rows: 2 * perClass, columns: 2)
    var labels = [Int](repeating: 0, count: 2 * perClass)
    for i in 0..<perClass {
        let r = Double(i) / Double(perClass) * 5 + 0.5
        let theta = Double(i) / Double(perClass) * 2 * Double.pi
        for c in 0..<2 {
            let row = 2 * i + c
            let angle = theta + Double(c) * Double.pi
            x[row, 0] = r * Double.cos(angle) / 5 + g.uniform(-0.02, 0.02)
            x[row, 1] = r * Double.sin(angle) / 5 + g.uniform(-0.02, 0.02)
            labels[row] = c
        }
    }
    return (x, labels)
}

@Test func mlpLearnsTwoInterleavedSpiralsDeterministically() throws {
    let (x, labels) = spirals(perClass: 100, seed: 1)
    func train() throws -> (Network<Double>, TrainingHistory) {
        var g = SeededGenerator(seed: 2)
        var network = try Network<Double>(sizes: [2, 64, 64, 2], activation: .relu, initializer: .xavier, using: &g)
        var adam = Adam<Double>(learningRate: 0.01)
        let history = try network.fit(
            x, .classes(labels), loss: .crossEntropy, optimizer: &adam,
            configuration: TrainingConfiguration(epochs: 300, batchSize: 40, seed: 3))
        return (network, history)
    }
    let (network, history) = try train()
    var probe = network
    let accuracy = try probe.evaluate(x, targets: .classes(labels), loss: .crossEntropy).accuracy ?? 0
    #expect(accuracy >= 0.99)
    #expect(history.epochs.count == 300)
    #expect(history.epochs.last!.trainLoss < 0.01)
    // Same seeds, same numbers: the run is bit-for-bit reproducible.
    #expect(try train().0.parameters == network.parameters)
}

@Test func inOrderBatchesEqualManualStepsIncludingTheLastPartialBatch() throws {
    var g = SeededGenerator(seed: 4)
    let start = try Network<Double>(sizes: [3, 4, 2], using: &g, backend: NaiveBackend())
    let x: Matrix<Double> = randomMatrix(7, 3, seed: 5)
    let labels = [0, 1, 1, 0, 1, 0, 1]
    var fitted = start
    var sgd = SGD<Double>(learningRate: 0.1, momentum: 0.9)
    let history = try fitted.fit(
        x, .classes(labels), loss: .crossEntropy, optimizer: &sgd,
        configuration: TrainingConfiguration(epochs: 2, batchSize: 3, shuffle: false))
    // Batches [0, 3), [3, 6), [6, 7) in each epoch.
    var manual = start
    var sgd2 = SGD<Double>(learningRate: 0.1, momentum: 0.9)
    var firstEpochLoss = 0.0
    for epoch in 0..<2 {
        for range in [0..<3, 3..<6, 6..<7] {
            let l = try manual.trainStep(
                on: x.rows(range), targets: .classes(Array(labels[range])), loss: .crossEntropy, optimizer: &sgd2)
            if epoch == 0 { firstEpochLoss += l * Double(range.count) / 7 }
        }
    }
    #expect(fitted.parameters == manual.parameters)
    #expect(abs(history.epochs[0].trainLoss - firstEpochLoss) < 1e-15)
}

@Test(.enabled(if: BLASBackend.isAvailable))
func blasAndNaiveBackendsAgreeThroughSeveralTrainingSteps() throws {
    func run<T: Scalar>(_: T.Type, _ backend: any Backend) throws -> [T] {
        var g = SeededGenerator(seed: 6)
        var network = try Network<T>(sizes: [12, 9, 7, 4], activation: .relu, using: &g, backend: backend)
        let x: Matrix<T> = randomMatrix(20, 12, seed: 7)
        var adam = Adam<T>(learningRate: 0.01)
        _ = try network.fit(
            x, .classes((0..<20).map { $0 % 4 }), loss: .crossEntropy, optimizer: &adam,
            configuration: TrainingConfiguration(epochs: 2, batchSize: 6, seed: 8))
        return network.parameters
    }
    let blas = try BLASBackend()
    // 8 Adam steps; only summation order differs: Float 1e-5, Double 1e-12 (relative to
    // max(|a|, |b|, 1)).
    #expect(maxRelativeDifference(try run(Float.self, blas), try run(Float.self, NaiveBackend())) <= 1e-5)
    #expect(maxRelativeDifference(try run(Double.self, blas), try run(Double.self, NaiveBackend())) <= 1e-12)
}

@Test func schedulesFollowStepLRAndCosineAnnealing() throws {
    #expect(LearningRateSchedule.step(every: 2, gamma: 0.5).learningRate(base: 1, epoch: 3, epochs: 10) == 0.5)
    #expect(LearningRateSchedule.step(every: 2, gamma: 0.5).learningRate(base: 1, epoch: 4, epochs: 10) == 0.25)
    #expect(abs(LearningRateSchedule.cosine.learningRate(base: 0.1, epoch: 2, epochs: 4) - 0.05) < 1e-17)
    #expect(LearningRateSchedule.cosine.learningRate(base: 0.1, epoch: 0, epochs: 4) == 0.1)
    // And fit records them per epoch.
    var g = SeededGenerator(seed: 9)
    var network = try Network<Double>(sizes: [2, 2], using: &g)
    var sgd = SGD<Double>(learningRate: 0.4)
    let history = try network.fit(
        randomMatrix(4, 2, seed: 1), .classes([0, 1, 0, 1]), loss: .crossEntropy, optimizer: &sgd,
        configuration: TrainingConfiguration(epochs: 3, batchSize: 4, schedule: .step(every: 1, gamma: 0.5)))
    #expect(history.epochs.map(\.learningRate) == [0.4, 0.2, 0.1])
}

@Test func earlyStoppingStopsAfterPatienceEpochsWithoutImprovement() throws {
    // Validation labels are the opposite of the training labels: fitting the training data makes
    // the validation loss rise from the first epoch on.
    var g = SeededGenerator(seed: 10)
    var network = try Network<Double>(sizes: [2, 8, 2], using: &g)
    let x: Matrix<Double> = randomMatrix(16, 2, seed: 11)
    let labels = (0..<16).map { x[$0, 0] > 0 ? 1 : 0 }
    var adam = Adam<Double>(learningRate: 0.05)
    let history = try network.fit(
        x, .classes(labels), loss: .crossEntropy, optimizer: &adam,
        configuration: TrainingConfiguration(epochs: 50, batchSize: 4, seed: 1, earlyStoppingPatience: 3),
        validation: (x, .classes(labels.map { 1 - $0 })))
    #expect(history.stoppedEarly)
    let best = try #require(history.bestEpoch)
    #expect(history.epochs.count == best + 3)
}

@Test func validationFractionHoldsOutTheLastSamples() throws {
    var g = SeededGenerator(seed: 12)
    var network = try Network<Double>(sizes: [3, 2], using: &g)
    let x: Matrix<Double> = randomMatrix(10, 3, seed: 13)
    let labels = [0, 1, 0, 1, 0, 1, 0, 1, 1, 1]
    var sgd = SGD<Double>(learningRate: 0.1)
    let history = try network.fit(
        x, .classes(labels), loss: .crossEntropy, optimizer: &sgd,
        configuration: TrainingConfiguration(epochs: 1, batchSize: 3, validationFraction: 0.2))
    let heldOut = try network.evaluate(x.rows(8..<10), targets: .classes([1, 1]), loss: .crossEntropy)
    #expect(abs((history.epochs[0].validationLoss ?? .nan) - heldOut.loss) < 1e-15)
    #expect(history.epochs[0].validationAccuracy == heldOut.accuracy)
}

@Test func nonFiniteInputStopsTrainingNamingEpochStepAndLayer() throws {
    var g = SeededGenerator(seed: 14)
    var network = try Network<Float>(sizes: [2, 3, 2], using: &g)
    var x: Matrix<Float> = randomMatrix(6, 2, seed: 15)
    x[4, 1] = .nan
    var sgd = SGD<Float>(learningRate: 0.1)
    #expect(throws: TrainingError.nonFinite(epoch: 1, step: 3, layer: 0, layerKind: "linear", quantity: "output")) {
        try network.fit(
            x, .classes([0, 1, 0, 1, 0, 1]), loss: .crossEntropy, optimizer: &sgd,
            configuration: TrainingConfiguration(epochs: 2, batchSize: 2, shuffle: false))
    }
}

@Test func divergingLearningRateStopsTrainingWithNonFiniteError() throws {
    var g = SeededGenerator(seed: 16)
    var network = try Network<Float>(sizes: [2, 4, 1], using: &g)
    let x: Matrix<Float> = randomMatrix(8, 2, seed: 17, in: -100, 100)
    var sgd = SGD<Float>(learningRate: 1e30)
    do {
        _ = try network.fit(
            x, .values(randomMatrix(8, 1, seed: 18)), loss: .mse, optimizer: &sgd,
            configuration: TrainingConfiguration(epochs: 5, batchSize: 4))
        Issue.record("training did not stop")
    } catch {
        guard case .nonFinite = error else {
            Issue.record("unexpected \(error)")
            return
        }
        #expect(error.description.contains("epoch"))
    }
}

@Test func invalidConfigurationAndDataThrow() throws {
    var g = SeededGenerator(seed: 19)
    var network = try Network<Double>(sizes: [2, 2], using: &g)
    var sgd = SGD<Double>()
    let x: Matrix<Double> = randomMatrix(4, 2, seed: 1)
    #expect(throws: TrainingError.self) {
        try network.fit(
            x, .classes([0, 1, 0, 1]), loss: .crossEntropy, optimizer: &sgd,
            configuration: TrainingConfiguration(batchSize: 0))
    }
    #expect(throws: TrainingError.self) {
        try network.fit(x, .classes([0, 1, 0, 5]), loss: .crossEntropy, optimizer: &sgd)
    }
    #expect(throws: TrainingError.self) {
        try network.fit(
            x, .classes([0, 1, 0, 1]), loss: .crossEntropy, optimizer: &sgd,
            configuration: TrainingConfiguration(earlyStoppingPatience: 2))
    }
}

@Test func progressIsReportedAfterEveryStepOfEveryEpoch() throws {
    var g = SeededGenerator(seed: 22)
    var network = try Network<Float>(sizes: [2, 3, 2], using: &g)
    var sgd = SGD<Float>(learningRate: 0.1)
    var seen: [(Int, Int, Int)] = []
    _ = try network.fit(
        randomMatrix(10, 2, seed: 23), .classes((0..<10).map { $0 % 2 }), loss: .crossEntropy, optimizer: &sgd,
        configuration: TrainingConfiguration(epochs: 2, batchSize: 4)
    ) { p in seen.append((p.epoch, p.step, p.steps)) }
    // 10 samples in batches of 4: steps 1, 2, 3 (the last of 2 samples) per epoch.
    #expect(seen.map(\.0) == [1, 1, 1, 2, 2, 2])
    #expect(seen.map(\.1) == [1, 2, 3, 1, 2, 3])
    #expect(seen.allSatisfy { $0.2 == 3 })
}

@Test func nonFiniteParameterIsNamedBeforeTheOutputsItSpoils() throws {
    var g = SeededGenerator(seed: 24)
    var network = try Network<Double>(sizes: [2, 3, 3, 2], using: &g)
    var layer = try #require(network.dense(at: 2))
    layer.bias[1] = .infinity
    try network.setDense(layer, at: 2)
    var sgd = SGD<Double>(learningRate: 0.1)
    #expect(throws: TrainingError.nonFinite(epoch: 1, step: 1, layer: 2, layerKind: "linear", quantity: "parameters")) {
        try network.fit(randomMatrix(4, 2, seed: 25), .classes([0, 1, 0, 1]), loss: .crossEntropy, optimizer: &sgd)
    }
}
