import Testing

@testable import Perceptron

/// What each new module kind does, checked by hand-computed values, statistics and the plan.
@Suite struct ModuleKindTests {
    private func dense(_ i: Int, _ o: Int, _ g: inout SeededGenerator) -> Layer<Double> {
        .dense(Dense(inputSize: i, outputSize: o, initializer: .xavier, using: &g))
    }

    /// Dropout keeps each element with probability 1 − p scaled by 1/(1 − p), in training only,
    /// and its backward multiplies by the same mask.
    @Test func dropoutZeroesAFractionPAndScalesTheRestInTrainingOnly() throws {
        let identity = try Dense<Double>(weight: Matrix((0..<50).map { r in (0..<50).map { $0 == r ? 1.0 : 0 } }), bias: [Double](repeating: 0, count: 50))
        var network = try Network<Double>(layers: [.dense(identity), .dropout(probability: 0.3)], backend: NaiveBackend())
        let x = Matrix<Double>(rows: 400, columns: 50, repeating: 1)
        let t = Targets<Double>.values(Matrix(rows: 400, columns: 50, repeating: 0))
        try network.lossAndGradients(for: x, targets: t, loss: .mse, mode: .training)
        let y = network.lastOutput.elements
        let dropped = y.filter { $0 == 0 }.count
        let fraction = Double(dropped) / Double(y.count)
        #expect(abs(fraction - 0.3) < 0.01, "dropped \(fraction)")
        #expect(y.allSatisfy { $0 == 0 || abs($0 - 1 / 0.7) < 1e-15 })
        // dL/dy = 2y/(N·C); through the mask dL/dx = mask ⊙ 2y/(N·C) = 2y²/(N·C) ≠ 0 exactly where kept.
        let dx = network.inputGradient.elements
        for i in y.indices { #expect((dx[i] == 0) == (y[i] == 0)) }
        #expect(try network.predict(x) == x)
        #expect(try network.evaluate(x, targets: t, loss: .mse).loss == 1)
    }

    /// Batch normalisation in training mode: batch statistics, running statistics updated with
    /// momentum and the unbiased variance, num_batches_tracked + 1; evaluation uses them.
    @Test func batchNormUpdatesRunningStatisticsAsPyTorchAndUsesThemInEvaluation() throws {
        var g = SeededGenerator(seed: 3)
        let bn = try BatchNorm<Double>(
            weight: [2, 0.5], bias: [0.1, -0.2], runningMean: [0.3, -0.1], runningVariance: [1.5, 0.8], batchesTracked: 4,
            epsilon: 1e-3, momentum: 0.2)
        var network = try Network<Double>(layers: [dense(3, 2, &g), .batchNorm(bn)], backend: NaiveBackend())
        let x: Matrix<Double> = g.gaussianMatrix(rows: 5, columns: 3)
        let z = try network.dense(at: 0)!.forward(x, backend: NaiveBackend())
        let t = Targets<Double>.values(Matrix(rows: 5, columns: 2))
        try network.lossAndGradients(for: x, targets: t, loss: .mse, mode: .training)
        guard case .batchNorm(let after) = network.layers[1] else { return }
        let y = network.lastOutput
        for j in 0..<2 {
            let column = (0..<5).map { z[$0, j] }
            let mean = column.reduce(0, +) / 5
            let variance = column.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 5
            #expect(abs(after.runningMean[j] - (0.8 * bn.runningMean[j] + 0.2 * mean)) < 1e-15)
            #expect(abs(after.runningVariance[j] - (0.8 * bn.runningVariance[j] + 0.2 * variance * 5 / 4)) < 1e-14)
            for i in 0..<5 {
                let expected = (column[i] - mean) / (variance + 1e-3).squareRoot() * bn.weight[j] + bn.bias[j]
                #expect(abs(y[i, j] - expected) < 1e-14)
            }
        }
        #expect(after.batchesTracked == 5)
        // Evaluation: the running statistics just stored, nothing updated.
        let out = try network.predict(x)
        for i in 0..<5 {
            for j in 0..<2 {
                let expected =
                    (z[i, j] - after.runningMean[j]) / (after.runningVariance[j] + 1e-3).squareRoot() * bn.weight[j] + bn.bias[j]
                #expect(abs(out[i, j] - expected) < 1e-14)
            }
        }
        guard case .batchNorm(let unchanged) = network.layers[1] else { return }
        #expect(unchanged == after)
    }

    /// Layer normalisation: each row has mean b and (biased) variance w²·σ²/(σ² + ε).
    @Test func layerNormNormalizesEachRowWithItsBiasedVariance() throws {
        var g = SeededGenerator(seed: 5)
        let network = try Network<Double>(layers: [dense(4, 6, &g), .layerNorm(LayerNorm(features: 6, epsilon: 0))])
        let x: Matrix<Double> = g.gaussianMatrix(rows: 3, columns: 4)
        let y = try network.predict(x)
        for i in 0..<3 {
            let row = (0..<6).map { y[i, $0] }
            let mean = row.reduce(0, +) / 6
            let variance = row.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 6
            #expect(abs(mean) < 1e-15 && abs(variance - 1) < 1e-14)
        }
    }

    /// Fusion is a property of the plan: a dense step absorbs the activation after it, and
    /// applies the backward of the dense-with-activation step below as its dX epilogue; a
    /// normalisation between them keeps the steps apart.
    @Test func thePlanFusesActivationsIntoDenseStepsOnlyWhereTheyAreAdjacent() throws {
        var g = SeededGenerator(seed: 1)
        let network = try Network<Double>(
            layers: [
                dense(3, 4, &g), .activation(.relu), dense(4, 5, &g), .activation(.gelu), dense(5, 4, &g),
                .batchNorm(BatchNorm(features: 4)), .activation(.silu), .dropout(probability: 0.1), dense(4, 2, &g),
            ])
        let steps = network.plan.steps
        #expect(steps.count == 7)
        guard case .dense(let first) = steps[0], case .dense(let second) = steps[1], case .dense(let third) = steps[2],
            case .batchNorm = steps[3], case .activation(let silu) = steps[4], case .dropout = steps[5],
            case .dense(let last) = steps[6]
        else {
            Issue.record("unexpected steps")
            return
        }
        #expect(first.activation == .relu && first.activationBackwardRunsAbove)
        #expect(second.activation == .gelu && second.fusedBelow?.activation == .relu && second.activationBackwardRunsAbove)
        #expect(second.preactivationUnit != nil)  // GELU's backward needs Z
        #expect(third.activation == nil && third.fusedBelow?.activation == .gelu && !third.activationBackwardRunsAbove)
        #expect(silu.activation == .silu)
        #expect(last.fusedBelow == nil && last.activation == nil)
        // In-place steps share the gradient buffer of the step below.
        #expect(steps[4].layout.gradientUnit == steps[3].layout.gradientUnit)
        #expect(steps[5].layout.gradientUnit == steps[3].layout.gradientUnit)
    }

    /// A training batch of one row cannot be batch-normalised: fit refuses the configuration
    /// before training, and a direct call throws.
    @Test func batchNormTrainingRefusesABatchOfOneRow() throws {
        var g = SeededGenerator(seed: 2)
        var network = try Network<Double>(sizes: [3, 4, 2], normalization: .batch, using: &g)
        let x: Matrix<Double> = g.gaussianMatrix(rows: 9, columns: 3)
        var sgd = SGD<Double>(learningRate: 0.1)
        #expect(throws: TrainingError.self) {
            try network.fit(x, .classes([0, 1, 0, 1, 0, 1, 0, 1, 0]), loss: .crossEntropy, optimizer: &sgd,
                configuration: TrainingConfiguration(epochs: 1, batchSize: 4))
        }
        #expect(throws: TrainingError.self) {
            try network.fit(x, .classes([0, 1, 0, 1, 0, 1, 0, 1, 0]), loss: .crossEntropy, optimizer: &sgd,
                configuration: TrainingConfiguration(epochs: 1, batchSize: 1))
        }
        #expect(throws: ShapeError.self) {
            try network.lossAndGradients(for: Matrix(rows: 1, columns: 3), targets: .classes([0]), loss: .crossEntropy)
        }
        _ = try network.predict(Matrix(rows: 1, columns: 3))  // evaluation mode: fine
    }

    /// The model file round-trips every kind: arguments, parameters, running statistics and
    /// `num_batches_tracked` as an I64 scalar, with PyTorch's state_dict names.
    @Test func modelFileRoundTripsEveryModuleKindWithArgumentsAndStatistics() throws {
        var g = SeededGenerator(seed: 9)
        let bn = try BatchNorm<Double>(
            weight: [1, 2, 3], bias: [0, 1, 2], runningMean: [0.5, 0.25, 0], runningVariance: [2, 1, 0.5], batchesTracked: 7,
            epsilon: 1e-3, momentum: 0.25)
        let ln = try LayerNorm<Double>(weight: [1, 0.5, 2, 1], bias: [0, 0, 1, -1], epsilon: 1e-4)
        let layers: [Layer<Double>] = [
            dense(2, 3, &g), .batchNorm(bn), .activation(.softplus(beta: 2, threshold: 10)), .dropout(probability: 0.25),
            dense(3, 4, &g), .layerNorm(ln), .activation(.elu(alpha: 0.5)), .activation(.leakyReLU(negativeSlope: 0.2)),
            .activation(.silu), dense(4, 2, &g),
        ]
        let network = try Network<Double>(layers: layers)
        let file = ModelFile.encode(network, loss: .mse)
        #expect(
            file.metadata[ModelFile.layersKey]
                == "linear,batch_norm(0.001,0.25),softplus(2,10),dropout(0.25),linear,layer_norm(0.0001),elu(0.5),leaky_relu(0.2),silu,linear")
        #expect(file.tensors["1.num_batches_tracked"]?.dtype == .int64)
        #expect(file.tensors["1.num_batches_tracked"]?.shape == [])
        #expect(Set(file.tensors.keys) == [
            "0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var", "1.num_batches_tracked",
            "4.weight", "4.bias", "5.weight", "5.bias", "9.weight", "9.bias",
        ])
        let back = try ModelFile.decode(SafetensorsFile.decode(file.encoded()), as: Double.self)
        #expect(back.network.layers == layers)
        #expect(back.loss == .mse)
    }
}
