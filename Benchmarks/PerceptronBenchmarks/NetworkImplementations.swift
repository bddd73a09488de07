import Perceptron

/// The library's own network, as a user drives it: `Network<Float>(sizes:)` with ReLU,
/// `trainStep(on:targets:loss:optimizer:)` with softmax cross-entropy and `Adam`, and
/// `predict(_:into:)` for inference.
enum NetworkBench {
    /// A seeded 784-256-128-10 network on `backend`, a random batch and class targets.
    static func setup(
        widths: [Int], batch: Int, backend: any Backend, seed: UInt64 = 3, normalization: Normalization = .none,
        dropout: Double = 0
    ) throws -> (network: Network<Float>, input: Matrix<Float>, targets: Targets<Float>) {
        var rng = SeededGenerator(seed: seed)
        let network = try Network<Float>(
            sizes: widths, activation: .relu, normalization: normalization, dropout: dropout, using: &rng, backend: backend)
        let input = rng.uniformMatrix(rows: batch, columns: widths[0], in: Float(0), Float(1))
        let classes = widths[widths.count - 1]
        let targets = Targets<Float>.classes((0..<batch).map { _ in Int(rng.next() % UInt64(classes)) })
        return (network, input, targets)
    }
}

extension StepImplementation {
    /// `Network.trainStep` with Adam (PyTorch defaults, lr 1e-3).
    static func network(widths: [Int]) -> StepImplementation {
        StepImplementation(
            name: "network",
            make: { backend, batch in
                var (network, input, targets) = try NetworkBench.setup(widths: widths, batch: batch, backend: backend.erased)
                var adam = Adam<Float>()
                return {
                    _ = try? network.trainStep(on: input, targets: targets, loss: .crossEntropy, optimizer: &adam)
                }
            },
            recordGEMMs: { batch in
                let log = CallLog()
                var (network, input, targets) = try NetworkBench.setup(
                    widths: widths, batch: batch, backend: RecordingBackend(inner: NaiveBackend(), log: log))
                var adam = Adam<Float>()
                try network.trainStep(on: input, targets: targets, loss: .crossEntropy, optimizer: &adam)
                return log.gemms
            },
            parts: { backend, batch in
                var (network, input, targets) = try NetworkBench.setup(widths: widths, batch: batch, backend: backend.erased)
                var adam = Adam<Float>()
                return [
                    ("forward+backward", {
                        _ = try? network.lossAndGradients(for: input, targets: targets, loss: .crossEntropy, inputGradient: false)
                    }),
                    ("optimizer", { network.update(using: &adam) }),
                ]
            })
    }
}

extension StepImplementation {
    /// `Network.trainStep` with Adam on the README's Fashion-MNIST recipe network: batch_norm,
    /// relu, dropout(0.2) after each hidden linear layer (the same GEMMs as ``network(widths:)``,
    /// so its ratio to the floor shows what normalisation and dropout cost).
    static func normalized(widths: [Int]) -> StepImplementation {
        func setup(_ backend: any Backend, _ batch: Int) throws -> (Network<Float>, Matrix<Float>, Targets<Float>) {
            try NetworkBench.setup(widths: widths, batch: batch, backend: backend, normalization: .batch, dropout: 0.2)
        }
        return StepImplementation(
            name: "normalized",
            make: { backend, batch in
                var (network, input, targets) = try setup(backend.erased, batch)
                var adam = Adam<Float>()
                return {
                    _ = try? network.trainStep(on: input, targets: targets, loss: .crossEntropy, optimizer: &adam)
                }
            },
            recordGEMMs: { batch in
                let log = CallLog()
                var (network, input, targets) = try setup(RecordingBackend(inner: NaiveBackend(), log: log), batch)
                var adam = Adam<Float>()
                try network.trainStep(on: input, targets: targets, loss: .crossEntropy, optimizer: &adam)
                return log.gemms
            })
    }
}

extension InferenceImplementation {
    /// `Network.predict(_:into:)`: the network's workspace and a reused output matrix.
    static func networkWorkspace(widths: [Int]) -> InferenceImplementation {
        InferenceImplementation(name: "network", mode: "workspace") { backend, batch in
            var (network, input, _) = try NetworkBench.setup(widths: widths, batch: batch, backend: backend.erased)
            var output = Matrix<Float>(rows: batch, columns: widths[widths.count - 1])
            return { try? network.predict(input, into: &output) }
        }
    }

    /// `Network.predict(_:)`: the convenience call that returns a new matrix.
    static func networkPredict(widths: [Int]) -> InferenceImplementation {
        InferenceImplementation(name: "network", mode: "predict") { backend, batch in
            let (network, input, _) = try NetworkBench.setup(widths: widths, batch: batch, backend: backend.erased)
            return { _ = try? network.predict(input) }
        }
    }
}

extension EpochImplementation {
    /// `Network.fit` for one epoch: Adam, batch 128, seeded shuffling, no validation, as
    /// `perceptron train` runs it.
    static func network(widths: [Int]) -> EpochImplementation {
        EpochImplementation(name: "network") { backend, data, batch in
            var rng = SeededGenerator(seed: 21)
            var network = try Network<Float>(sizes: widths, activation: .relu, using: &rng, backend: backend.erased)
            var adam = Adam<Float>()
            let inputs = try Matrix(rows: data.count, columns: data.features, elements: data.images)
            let targets = Targets<Float>.classes(data.labels)
            let configuration = TrainingConfiguration(epochs: 1, batchSize: batch, shuffle: true, seed: 21)
            return {
                let history = try network.fit(
                    inputs, targets, loss: .crossEntropy, optimizer: &adam, configuration: configuration)
                return history.epochs.isEmpty ? 0 : (data.count + batch - 1) / batch
            }
        }
    }
}
