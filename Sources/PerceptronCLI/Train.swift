import ArgumentParser
import Foundation
import Perceptron

/// `perceptron train`: trains a multi-layer perceptron and saves it as safetensors.
struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a network (from scratch, or from --init) and save it.",
        discussion: """
            Defaults are PyTorch's plain ones: 784-256-128-10 with ReLU, PyTorch's nn.Linear \
            initialisation, batch 128, 10 epochs, Adam at 1e-3 (betas 0.9/0.999, eps 1e-8), a \
            constant learning rate, no validation split and no early stopping.

            Under `mpirun -np N` (with the binary built with the MPI trait) the N processes \
            train one model data-parallel: the same flags and outputs, each global batch of \
            --batch-size rows shared between them; rank 0 alone prints and writes files.
            """)

    @OptionGroup var data: DataOptions

    @Option(help: "Hidden layer widths, comma-separated (empty for none; default 256,128).")
    var hidden: String?

    @Option(
        help: ArgumentHelp(
            "Number of classes, for class-index targets.",
            discussion: """
                Without it: the data set's own classes (IDX), or one more than the largest label, \
                refused when some class below it has no sample.
                """))
    var classes: Int?

    @Option(
        help: ArgumentHelp(
            "Hidden activation: relu, leaky_relu, sigmoid, tanh, gelu, silu, softplus or elu.",
            discussion: "Arguments as in a model file: leaky_relu(0.1), elu(0.5), softplus(2,20)."))
    var activation: Activation = .relu

    @Option(help: "Normalisation after each hidden linear layer, before its activation: none, layer or batch.")
    var normalization: Normalization = .none

    @Option(help: "Dropout probability after each hidden activation (0 for none).")
    var dropout: Double = 0

    @Option(help: "Loss: cross-entropy (the default), mse or bce.")
    var loss: Loss?

    @OptionGroup var lossOptions: LossOptions

    @Option(help: "Weight initialiser: he, he-normal, xavier, xavier-normal, orthogonal or pytorch (the default).")
    var initializer: Initializer?

    @Option(help: "Precision: float32 (the default) or float64.")
    var dtype: Precision?

    @Option(help: "Optimizer: sgd, adam, adamw or rmsprop (alpha 0.99, eps 1e-8, not centered).")
    var optimizer: OptimizerKind = .adam

    @Option(help: "Learning rate.")
    var learningRate: Double = 0.001

    @Option(help: "Momentum (sgd, rmsprop; default 0).")
    var momentum: Double?

    @Flag(help: "Nesterov momentum (sgd).")
    var nesterov = false

    @Option(help: "Weight decay (default 0 for sgd, adam and rmsprop, 0.01 for adamw).")
    var weightDecay: Double?

    @Option(help: "Samples per step; the last partial batch is kept.")
    var batchSize: Int = 128

    @Option(help: "Passes over the training data.")
    var epochs: Int = 10

    @Option(help: "Learning-rate schedule: constant, step, cosine or plateau (ReduceLROnPlateau on the validation loss).")
    var schedule: ScheduleKind = .constant

    @Option(help: "With --schedule step: epochs between decays (default 5).")
    var stepSize: Int?

    @Option(help: "With --schedule step or plateau: the decay factor (default 0.1).")
    var gamma: Double?

    @Option(help: "With --schedule plateau: epochs without improvement before the rate drops.")
    var plateauPatience: Int = 10

    @Option(help: "Clip the gradients to this global L2 norm before each update (clip_grad_norm_).")
    var clipGradNorm: Double?

    @Option(help: "Fraction of the training data held out for validation (taken from its end).")
    var validationFraction: Double = 0

    @Option(help: "Stop after this many epochs without a better validation loss.")
    var earlyStopping: Int?

    @Option(name: .customLong("seed"), help: "Seed for initialisation and shuffling (0 to 2^64 - 1).")
    var seedText: String = "0"

    /// `--seed`, checked in ``validate()``.
    var seed: UInt64 { UInt64(seedText) ?? 0 }

    @Flag(help: "Take batches in order (the last partial batch included).")
    var noShuffle = false

    @OptionGroup var compute: BackendOptions

    @Option(help: "Write per-epoch metrics to this CSV file.")
    var metrics: String?

    @Option(help: "Draw loss and accuracy per epoch to this SVG file.")
    var plot: String?

    @Option(
        help: ArgumentHelp(
            "Refuse to start when the run would need more memory than this (e.g. 2G, 500M).",
            discussion: "Without it, the limit is the memory the system has available."))
    var maxMemory: String?

    @Option(help: "Where to save the model (rewritten atomically at the end of every epoch).")
    var output: String = "model.safetensors"

    @Option(help: "Start from this saved model (its layers, loss and dtype come from the file).")
    var `init`: String?

    /// `--optimizer` values.
    enum OptimizerKind: String, ExpressibleByArgument, CaseIterable { case sgd, adam, adamw, rmsprop }

    /// `--schedule` values.
    enum ScheduleKind: String, ExpressibleByArgument, CaseIterable { case constant, step, cosine, plateau }

    func run() throws {
        let world = try Communicator.world()
        let agreement = StartAgreement(world: world)
        do {
            try run(agreement)
        } catch {
            // This rank's own setup failure is reported by this rank; a failure every rank
            // shares (training stopped, another rank could not start) by rank 0 alone.
            if let own = agreement.failed(error) { throw own }
            if world.isRoot { throw error }
            throw ExitCode.failure
        }
    }

    private func run(_ agreement: StartAgreement) throws {
        for (_, path) in outputPaths {
            try naming(path) { try AtomicFile.checkWritable(path) }
        }
        let backend = try compute.make()
        if let path = self.`init` {
            let model = try naming(path) { try ModelFile.read(from: path, backend: backend) }
            switch model {
            case .float32(let saved): try train(saved.network, loss: saved.loss, backend: backend, agreement)
            case .float64(let saved): try train(saved.network, loss: saved.loss, backend: backend, agreement)
            }
            return
        }
        switch dtype ?? .float32 {
        case .float32: try train(nil as Network<Float>?, loss: loss ?? .crossEntropy, backend: backend, agreement)
        case .float64: try train(nil as Network<Double>?, loss: loss ?? .crossEntropy, backend: backend, agreement)
        }
    }

    private func train<T: Scalar>(
        _ start: Network<T>?, loss: Loss, backend: any Backend, _ agreement: StartAgreement
    ) throws {
        let world = agreement.world
        let data = try data.load(T.self, loss: loss)
        var generator = SeededGenerator(seed: seed)
        let inputWidth = data.train.inputs.columns
        let widths: [Int]
        var classNote = ""
        if let start {
            widths = start.layers.compactMap { if case .dense(let d) = $0 { d.outputSize } else { nil } }
        } else {
            let outputs: Int
            (outputs, classNote) = try outputCount(for: data.train)
            widths = try hiddenWidths() + [outputs]
        }
        try requireMemory(
            widths: [inputWidth] + widths, scalarBytes: MemoryLayout<T>.size,
            batch: min(batchSize, data.train.inputs.rows), dataBytes: data.bytes, layersFrom: self.`init`)
        var network: Network<T>
        if var start {
            start.backend = backend
            network = start
        } else {
            network = try Network<T>(
                sizes: [inputWidth] + widths, activation: activation, normalization: normalization, dropout: dropout,
                initializer: initializer ?? .pytorch, using: &generator, backend: backend)
        }
        guard network.inputSize == inputWidth else {
            throw CLIError(
                "\(data.train.source): samples have \(inputWidth) features but the model's first layer takes \(network.inputSize)")
        }
        let modelName = self.`init` ?? "the network"
        let loss = try lossOptions.applied(to: loss, outputs: network.outputSize)
        try data.train.requireClasses(below: network.outputSize, of: modelName)
        try data.test?.requireClasses(below: network.outputSize, of: modelName)
        let configuration = TrainingConfiguration(
            epochs: epochs, batchSize: batchSize, shuffle: !noShuffle, seed: seed,
            validationFraction: validationFraction, schedule: scheduleValue, earlyStoppingPatience: earlyStopping,
            maximumGradientNorm: clipGradNorm, communicator: world)
        try agreement.ready()
        let isRoot = world.isRoot
        // Caught from here on: the line below tells a watching process the run can be interrupted.
        StopSignal.install()
        defer { StopSignal.restoreDefaults() }
        let processes = world.size > 1 ? " in \(world.size) processes" : ""
        if isRoot {
            writeStandardError(
                "training \(network.layerDescription) (\(network.parameterCount) parameters, \(T.precision), \(loss.rawValue), \(backend.name)) on \(data.train.inputs.rows) samples from \(data.train.source)\(classNote)\(processes)\n")
        }

        var bar = ProgressBar()
        var points: [EpochPoint] = []
        var csv = MetricsCSV()
        let output = self.output
        let (metrics, plot) = (self.metrics, self.plot)
        let title = "\(network.layerDescription) · \(loss.rawValue) · \(optimizer.rawValue)"
        let showsLearningRate = schedule != .constant
        let history: TrainingHistory
        let clock = ContinuousClock()
        let started = clock.now
        do {
            history = try fit(&network, data.train, loss: loss, configuration: configuration) { progress in
                guard isRoot else { return }
                bar.update(
                    epoch: progress.epoch, epochs: progress.epochs, step: progress.step, total: progress.steps,
                    loss: progress.batchLoss)
            } epochEnded: { record, trained in
                guard isRoot else { return }
                bar.finishEpoch()
                printLine(EpochLine(record).text)
                do {
                    try ModelFile.write(trained, loss: loss, to: output)
                } catch {
                    throw CLIError("\(error)")
                }
                // Counted only once saved: the failure message names the last checkpoint kept.
                points.append(EpochPoint(record))
                csv.append(record)
                // Rewritten after every epoch, so an interrupted run keeps every finished epoch.
                if let metrics { try naming(metrics) { try AtomicFile.write(Array(csv.text.utf8), to: metrics) } }
                if let plot {
                    let chart = TrainingChart(title: title, points: points, showsLearningRate: showsLearningRate)
                    try naming(plot) { try AtomicFile.write(Array(chart.svg().utf8), to: plot) }
                }
            } stopRequested: {
                StopSignal.pending != nil
            }
        } catch let error as TrainingError {
            bar.finishEpoch()
            let kept =
                points.isEmpty
                ? "no checkpoint was written" : "the checkpoint of epoch \(points.count) is kept in \(output)"
            switch error {
            case .epochCallbackFailed(let epoch, let message):
                throw CLIError("\(message) (training stopped after epoch \(epoch); \(kept))")
            case .invalidData(let shape):
                throw CLIError("\(data.train.targetsSource): \(shape)")
            default:
                throw CLIError("training stopped: \(error) (\(kept))")
            }
        }
        if history.stopRequested {
            // Under mpirun every rank stopped on the same step, some perhaps without a signal of
            // their own (another rank got it); rank 0 alone reports.
            let signal = StopSignal.pending
            let status = ExitCode(signal.map { 128 + $0 } ?? 1)
            guard isRoot else { throw status }
            bar.finishEpoch()
            let cause = signal.map { "interrupted by \(StopSignal.name($0))" } ?? "interrupted on another rank"
            let interrupted = "\(cause) during epoch \(points.count + 1) of \(epochs)"
            if points.isEmpty {
                writeStandardError("\(interrupted): no epoch finished, so nothing was saved (\(output) is unchanged)\n")
            } else {
                let records = [metrics, plot].compactMap { $0 }
                let also = records.isEmpty ? "" : " (and \(records.joined(separator: ", ")) its metrics)"
                writeStandardError(
                    "\(interrupted): \(output) holds epoch \(points.count)\(also); resume with --init \(output) --epochs \(epochs - points.count) (the optimizer state starts afresh)\n"
                )
            }
            throw status
        }
        let seconds = (clock.now - started).seconds
        // Every rank holds the same model: rank 0 alone reports and writes.
        guard isRoot else { return }
        if history.stoppedEarly, let best = history.bestEpoch {
            printLine("early stopping after epoch \(history.epochs.count): best validation loss at epoch \(best)")
        }
        if let test = data.test {
            let (testLoss, accuracy) = try naming(test.source) {
                try network.evaluate(test.inputs, targets: test.targets, loss: loss)
            }
            let accuracyText = accuracy.map { ", accuracy \(format($0 * 100, digits: 2))%" } ?? ""
            printLine("test: loss \(format(Double(testLoss), digits: 4))\(accuracyText) on \(test.inputs.rows) samples")
            if let plot, let accuracy {
                var chart = TrainingChart(title: title, points: points, showsLearningRate: showsLearningRate)
                chart.testAccuracy = accuracy
                try naming(plot) { try AtomicFile.write(Array(chart.svg().utf8), to: plot) }
            }
        }
        printLine("saved \(output) after \(format(seconds, digits: 2)) s of training")
        // A signal after the last step: every record is complete; still end as a signal does.
        if let signal = StopSignal.pending {
            writeStandardError("interrupted by \(StopSignal.name(signal)) after training finished: every file is complete\n")
            throw ExitCode(128 + signal)
        }
    }


    private var scheduleValue: LearningRateSchedule {
        switch schedule {
        case .constant: .constant
        case .step: .step(every: stepSize ?? 5, gamma: gamma ?? 0.1)
        case .cosine: .cosine
        case .plateau: .plateau(factor: gamma ?? 0.1, patience: plateauPatience)
        }
    }

    /// Runs `Network.fit` with the optimizer the flags name.
    private func fit<T: Scalar>(
        _ network: inout Network<T>, _ samples: Samples<T>, loss: Loss, configuration: TrainingConfiguration,
        progress: @escaping (TrainingProgress) -> Void,
        epochEnded: @escaping (EpochRecord, Network<T>) throws -> Void,
        stopRequested: @escaping () -> Bool
    ) throws -> TrainingHistory {
        let rate = T(learningRate)
        switch optimizer {
        case .sgd:
            var o = SGD<T>(learningRate: rate, momentum: T(momentum ?? 0), nesterov: nesterov, weightDecay: T(weightDecay ?? 0))
            return try network.fit(
                samples.inputs, samples.targets, loss: loss, optimizer: &o, configuration: configuration,
                progress: progress, epochEnded: epochEnded, stopRequested: stopRequested)
        case .adam:
            var o = Adam<T>(learningRate: rate, weightDecay: T(weightDecay ?? 0))
            return try network.fit(
                samples.inputs, samples.targets, loss: loss, optimizer: &o, configuration: configuration,
                progress: progress, epochEnded: epochEnded, stopRequested: stopRequested)
        case .adamw:
            var o = AdamW<T>(learningRate: rate, weightDecay: T(weightDecay ?? 0.01))
            return try network.fit(
                samples.inputs, samples.targets, loss: loss, optimizer: &o, configuration: configuration,
                progress: progress, epochEnded: epochEnded, stopRequested: stopRequested)
        case .rmsprop:
            var o = RMSprop<T>(learningRate: rate, weightDecay: T(weightDecay ?? 0), momentum: T(momentum ?? 0))
            return try network.fit(
                samples.inputs, samples.targets, loss: loss, optimizer: &o, configuration: configuration,
                progress: progress, epochEnded: epochEnded, stopRequested: stopRequested)
        }
    }
}

extension Duration {
    /// The duration in seconds.
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) * 1e-18
    }
}
