import Perceptron

/// One data-parallel measurement: `ranks` processes under `mpirun` training the benchmark
/// network on one global batch per step, against rank 0 training alone in the same job.
struct DataParallelRow: Codable, Sendable {
    var ranks: Int
    /// More ranks than the machine has cores (`mpirun --oversubscribe`): the ranks share cores.
    var oversubscribed: Bool
    var backend: String
    /// BLAS threads per rank.
    var threadsPerRank: Int
    /// The global batch (rows per step over all ranks).
    var batch: Int
    var samples: Int
    var stepsPerEpoch: Int
    /// Milliseconds per global batch (a data-parallel step: each rank's share forward and
    /// backward, the allreduce, the optimizer update), from whole epochs: median (min–max).
    var msPerGlobalBatch: Summary
    /// Milliseconds of one allreduce of the step's buffer (the gradients and the loss), alone.
    var allreduceMs: Summary
    /// Wall seconds per epoch.
    var epochSeconds: Summary
    /// Milliseconds per global batch of rank 0 training alone (a world of one), same job.
    var aloneMsPerGlobalBatch: Summary
    /// `alone / ranks-together` of the medians.
    var speedup: Double
    /// `speedup / ranks`: 1 is perfect strong scaling.
    var efficiency: Double
}

/// The `mpi` section of `perceptron-bench`: run it under `mpirun -np N perceptron-bench
/// --sections mpi`. Every rank trains the same synthetic data set (Fashion-MNIST's shape) for
/// whole epochs with `Network.fit` given the world; rank 0 first trains alone while the
/// others sleep, giving the 1-rank figure of the same job.
struct DataParallelBenchmark {
    var world: Communicator
    var quick: Bool
    var widths: [Int]
    var cores: Int

    func run(progress: (String) -> Void) throws -> DataParallelRow {
        let batch = 128
        let samples = quick ? 20 * batch : 60000
        let epochs = quick ? 2 : 4
        let data = EpochData.synthetic(count: samples, features: widths[0], classes: widths[widths.count - 1])
        let inputs = try Matrix<Float>(rows: samples, columns: data.features, elements: data.images)
        let backend: any Backend = (try? BLASBackend(threads: 1)) ?? NaiveBackend()
        var generator = SeededGenerator(seed: 1)
        let start = try Network<Float>(sizes: widths, using: &generator, backend: backend)
        let configuration = TrainingConfiguration(epochs: epochs, batchSize: batch, shuffle: true, seed: 2)
        let steps = (samples + batch - 1) / batch

        /// Epoch seconds of every epoch but the first (warm-up).
        func epochSeconds(_ communicator: Communicator) throws -> [Double] {
            var network = start
            var adam = Adam<Float>()
            var c = configuration
            c.communicator = communicator
            let history = try network.fit(inputs, .classes(data.labels), loss: .crossEntropy, optimizer: &adam, configuration: c)
            return history.epochs.dropFirst().map(\.seconds)
        }

        var alone: [Double] = []
        if world.isRoot {
            progress("data parallel: rank 0 alone, \(epochs) epochs of \(samples) samples")
            alone = try epochSeconds(.single)
        }
        // The others wait without polling, leaving the cores to rank 0.
        try world.sleepingBarrier()
        progress("data parallel: \(world.size) ranks together")
        let together = try epochSeconds(world)
        var buffer = [Float](repeating: 1, count: start.parameterCount + 3)
        var allreduce: [Double] = []
        try world.barrier()
        for _ in 0..<(quick ? 10 : 50) {
            let t0 = now()
            try world.allreduceSum(&buffer)
            allreduce.append(now() - t0)
        }
        // Rank 0's view of the alone run, shared so every rank builds the same row.
        var aloneShared = alone.isEmpty ? [Double](repeating: 0, count: together.count) : alone
        try world.broadcast(&aloneShared, from: 0)
        let perBatch = Summary(together).scaled(by: 1000 / Double(steps))
        let alonePerBatch = Summary(aloneShared).scaled(by: 1000 / Double(steps))
        let speedup = alonePerBatch.median / perBatch.median
        return DataParallelRow(
            ranks: world.size, oversubscribed: world.size > cores, backend: backend.name, threadsPerRank: 1,
            batch: batch, samples: samples, stepsPerEpoch: steps, msPerGlobalBatch: perBatch,
            allreduceMs: Summary(allreduce).scaled(by: 1000), epochSeconds: Summary(together),
            aloneMsPerGlobalBatch: alonePerBatch, speedup: speedup, efficiency: speedup / Double(world.size))
    }
}
