import Testing

@testable import Perceptron

@Test func plateauScheduleReplaysPyTorchsReduceLROnPlateau() {
    // torch.optim.lr_scheduler.ReduceLROnPlateau(mode="min", factor=0.1, patience=2,
    // threshold=1e-4) stepped with these losses from lr 1 gave these rates (torch 2.13):
    // 0.89995 is not an improvement on 0.9 (relative threshold), NaN counts as a bad epoch,
    // and the rate stops falling once a drop would be under PyTorch's eps 1e-8.
    let losses = [
        1.0, 0.9, 0.95, 0.90, 0.89995, 0.5, 0.6, 0.7, 0.8, 0.4, .nan, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5,
        0.5, 0.5,
    ]
    let torch = [
        1.0, 1.0, 1.0, 1.0, 1.0, 0.1, 0.1, 0.1, 0.1, 0.010000000000000002, 0.010000000000000002, 0.010000000000000002,
        0.010000000000000002, 0.0010000000000000002, 0.0010000000000000002, 0.0010000000000000002,
        0.00010000000000000003, 0.00010000000000000003, 0.00010000000000000003, 1.0000000000000004e-05,
        1.0000000000000004e-05, 1.0000000000000004e-05, 1.0000000000000004e-06, 1.0000000000000004e-06,
        1.0000000000000004e-06,
    ]
    let schedule = LearningRateSchedule.plateau(factor: 0.1, patience: 2)
    let rates = (0...losses.count).map {
        schedule.learningRate(base: 1, epoch: $0, epochs: losses.count + 1, validationLosses: losses)
    }
    // The same multiplications in the same order: bit for bit.
    #expect(rates == torch)
}

@Test func plateauStopsReducingBelowPyTorchsEpsilon() {
    // From 1e-7 with factor 0.1: 1e-8 (a drop of 9e-8 > 1e-8), then 1e-9 would drop by 9e-9 < 1e-8: kept.
    let schedule = LearningRateSchedule.plateau(factor: 0.1, patience: 0)
    let losses = [1.0, 1.0, 1.0, 1.0]
    #expect(abs(schedule.learningRate(base: 1e-7, epoch: 2, epochs: 5, validationLosses: losses) - 1e-8) < 1e-22)
    #expect(abs(schedule.learningRate(base: 1e-7, epoch: 4, epochs: 5, validationLosses: losses) - 1e-8) < 1e-22)
}

@Test func fitWithPlateauNeedsValidationData() throws {
    var g = SeededGenerator(seed: 2)
    var network = try Network<Double>(sizes: [3, 2], using: &g, backend: NaiveBackend())
    var sgd = SGD<Double>(learningRate: 0.1)
    let x: Matrix<Double> = randomMatrix(8, 3, seed: 1)
    let t = Targets<Double>.classes([0, 1, 0, 1, 1, 0, 1, 0])
    #expect {
        try network.fit(x, t, loss: .crossEntropy, optimizer: &sgd, configuration: TrainingConfiguration(epochs: 2, schedule: .plateau()))
    } throws: { error in
        "\(error)".contains("plateau") && "\(error)".contains("validation")
    }
    for schedule in [LearningRateSchedule.plateau(factor: 1), .plateau(factor: 0), .plateau(patience: -1)] {
        #expect(throws: TrainingError.self) {
            try network.fit(
                x, t, loss: .crossEntropy, optimizer: &sgd,
                configuration: TrainingConfiguration(epochs: 2, validationFraction: 0.25, schedule: schedule))
        }
    }
}

/// In training, each epoch's rate comes from the validation losses of the epochs before it.
@Test func fitLowersTheRateAfterValidationLossStalls() throws {
    var g = SeededGenerator(seed: 2)
    var network = try Network<Double>(sizes: [3, 4, 2], using: &g, backend: NaiveBackend())
    // A large rate makes the validation loss stall or rise.
    var sgd = SGD<Double>(learningRate: 5, momentum: 0.9)
    let x: Matrix<Double> = randomMatrix(12, 3, seed: 1)
    let t = Targets<Double>.classes([0, 1, 0, 1, 1, 0, 1, 0, 0, 1, 1, 0])
    let history = try network.fit(
        x, t, loss: .crossEntropy, optimizer: &sgd,
        configuration: TrainingConfiguration(
            epochs: 10, batchSize: 3, validationFraction: 0.25, schedule: .plateau(factor: 0.5, patience: 0)))
    let losses = history.epochs.compactMap(\.validationLoss)
    #expect(Set(history.epochs.map(\.learningRate)).count > 1, "the rate never dropped: \(losses)")
    let schedule = LearningRateSchedule.plateau(factor: 0.5, patience: 0)
    for (e, record) in history.epochs.enumerated() {
        #expect(record.learningRate == schedule.learningRate(base: 5, epoch: e, epochs: 10, validationLosses: losses))
    }
}
