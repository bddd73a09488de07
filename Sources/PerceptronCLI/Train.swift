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

    func validate() throws {
        guard UInt64(seedText) != nil else {
            throw ValidationError("--seed must be an integer from 0 to \(UInt64.max) (got \(seedText))")
        }
        guard epochs >= 1 else { throw ValidationError("--epochs must be at least 1 (got \(epochs))") }
        guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1 (got \(batchSize))") }
        guard learningRate.isFinite, learningRate > 0 else {
            throw ValidationError("--learning-rate must be a positive number (got \(learningRate))")
        }
        if let momentum {
            guard momentum.isFinite, momentum >= 0 else { throw ValidationError("--momentum must be ≥ 0 (got \(momentum))") }
            guard optimizer == .sgd || optimizer == .rmsprop else {
                throw ValidationError("--momentum applies to --optimizer sgd or rmsprop only (\(optimizer.rawValue) keeps its own moments)")
            }
        }
        if let weightDecay, !(weightDecay.isFinite && weightDecay >= 0) {
            throw ValidationError("--weight-decay must be ≥ 0 (got \(weightDecay))")
        }
        guard validationFraction >= 0, validationFraction < 1 else {
            throw ValidationError("--validation-fraction must be in [0, 1) (got \(validationFraction))")
        }
        if let earlyStopping, earlyStopping < 1 {
            throw ValidationError("--early-stopping must be at least 1 (got \(earlyStopping))")
        }
        if earlyStopping != nil, validationFraction == 0 {
            throw ValidationError("--early-stopping needs --validation-fraction")
        }
        if let stepSize, stepSize < 1 { throw ValidationError("--step-size must be at least 1 (got \(stepSize))") }
        if let gamma, !(gamma.isFinite && gamma > 0) { throw ValidationError("--gamma must be positive (got \(gamma))") }
        if schedule != .step, let stepSize {
            throw ValidationError("--step-size \(stepSize) applies to --schedule step only (the schedule is \(schedule.rawValue))")
        }
        if schedule != .step && schedule != .plateau, let gamma {
            throw ValidationError("--gamma \(gamma) applies to --schedule step or plateau only (the schedule is \(schedule.rawValue))")
        }
        if schedule == .plateau {
            guard (gamma ?? 0.1) < 1 else { throw CLIError("--gamma must be below 1 with --schedule plateau (got \(gamma ?? 0.1))") }
            guard plateauPatience >= 0 else {
                throw CLIError("--plateau-patience must be at least 0 (got \(plateauPatience))")
            }
            guard validationFraction > 0 else {
                throw CLIError("--schedule plateau needs validation data (--validation-fraction)")
            }
        }
        if let clipGradNorm, !(clipGradNorm.isFinite && clipGradNorm > 0) {
            throw CLIError("--clip-grad-norm must be a positive number (got \(clipGradNorm))")
        }
        if let classes, classes < 1 { throw ValidationError("--classes must be at least 1 (got \(classes))") }
        if maxMemory != nil { _ = try maxMemoryBytes() }
        if nesterov, optimizer != .sgd || (momentum ?? 0) == 0 {
            throw ValidationError("--nesterov needs --optimizer sgd and a non-zero --momentum")
        }
        _ = try hiddenWidths()
        guard activation != .softmax else {
            throw ValidationError(
                "--activation softmax is not a hidden activation (use relu, leaky_relu, sigmoid, tanh, gelu, silu, softplus or elu)")
        }
        guard dropout >= 0, dropout < 1 else {
            throw ValidationError("--dropout must be in [0, 1) (got \(dropout))")
        }
        if loss?.kind == .categoricalCrossEntropy {
            throw ValidationError("--loss must be cross-entropy, mse or bce")
        }
        if let path = self.`init` {
            var layerFlags: [String] = []
            if hidden != nil { layerFlags.append("--hidden") }
            if activation != .relu { layerFlags.append("--activation") }
            if normalization != .none { layerFlags.append("--normalization") }
            if dropout != 0 { layerFlags.append("--dropout") }
            if initializer != nil { layerFlags.append("--initializer") }
            if dtype != nil { layerFlags.append("--dtype") }
            if loss != nil { layerFlags.append("--loss") }
            if classes != nil { layerFlags.append("--classes") }
            if !layerFlags.isEmpty {
                throw ValidationError(
                    "\(layerFlags.joined(separator: ", ")) cannot be used with --init: the layers, loss, precision and classes come from \(path)")
            }
        }
        for (flag, path) in outputPaths where path.isEmpty {
            throw ValidationError("\(flag) needs a file name (got an empty one)")
        }
        let named = outputPaths.map(\.path)
        if let repeated = named.first(where: { p in named.filter { $0 == p }.count > 1 }) {
            let flags = outputPaths.filter { $0.path == repeated }.map(\.flag)
            throw ValidationError("\(flags.joined(separator: " and ")) name the same file '\(repeated)'; give each its own")
        }
    }

    /// The files the run writes, with the flag that names each.
    private var outputPaths: [(flag: String, path: String)] {
        [("--output", output)] + (metrics.map { [("--metrics", $0)] } ?? []) + (plot.map { [("--plot", $0)] } ?? [])
    }

    /// `--max-memory` in bytes: a number with an optional unit (k, M, G, T: powers of 1000, as the messages print sizes).
    func maxMemoryBytes() throws -> Double? {
        guard let text = maxMemory?.uppercased() else { return nil }
        var digits = Substring(text)
        if digits.hasSuffix("IB") { digits = digits.dropLast(2) } else if digits.hasSuffix("B") { digits = digits.dropLast() }
        let scale: Double
        switch digits.last {
        case "K": scale = 1e3
        case "M": scale = 1e6
        case "G": scale = 1e9
        case "T": scale = 1e12
        default: scale = 1
        }
        if scale != 1 { digits = digits.dropLast() }
        guard let value = Double(digits), value.isFinite, value > 0 else {
            throw ValidationError("--max-memory must be a positive size such as 2G, 500M or 1048576 (got '\(maxMemory ?? "")')")
        }
        return value * scale
    }

    func hiddenWidths() throws -> [Int] {
        let hidden = self.hidden ?? "256,128"
        if hidden.trimmingCharacters(in: .whitespaces).isEmpty { return [] }
        let parts = hidden.split(separator: ",", omittingEmptySubsequences: false)
        return try parts.map { part in
            guard let width = Int(part.trimmingCharacters(in: .whitespaces)), width >= 1 else {
                throw ValidationError("--hidden must be positive integers separated by commas (got '\(hidden)')")
            }
            return width
        }
    }

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

    /// The output width for `samples` and a note saying how it was chosen: `--classes`, the data
    /// set's own classes, or one more than the largest label, when every class below it has a
    /// sample; the width of target rows.
    /// - Throws: ``CLIError`` when the labels leave a class with no sample and no `--classes` was
    ///   given, or `--classes` is given for target rows.
    private func outputCount<T>(for samples: Samples<T>) throws -> (Int, String) {
        guard case .classes(let labels) = samples.targets else {
            let width = samples.targets.outputWidth
            if let classes, classes != width {
                throw CLIError("--classes \(classes) does not match \(samples.targetsSource): its target rows have \(width) columns")
            }
            guard width >= 1 else { throw CLIError("\(samples.targetsSource): no targets to learn") }
            return (width, "")
        }
        if let classes { return (classes, ", \(classes) classes (--classes)") }
        let largest = labels.max() ?? -1
        if let known = samples.datasetClasses, largest < known {
            return (known, ", \(known) classes (the data set's labels 0–\(known - 1))")
        }
        guard largest >= 0 else { throw CLIError("\(samples.targetsSource): no targets to learn") }
        let present = Set(labels)
        let count = largest == Int.max ? Double(Int.max) + 1 : Double(largest + 1)
        if Double(present.count) < count {
            let missing = (0..<min(largest, 1 << 20)).first { !present.contains($0) } ?? 0
            let row = labels.firstIndex(of: largest) ?? 0
            throw CLIError(
                "\(samples.targetsSource): the largest label \(largest) (row \(row), counting from 0) would make \(largest == Int.max ? "2^63" : String(largest + 1)) classes, but \(Int(count) - present.count) of them have no sample (class \(missing) is the first); pass --classes N if the data set has N classes, or fix the label"
            )
        }
        return (largest + 1, ", \(largest + 1) classes (labels 0–\(largest) in \(samples.targetsSource))")
    }

    /// Refuses, in one line naming the sizes and the flag to change, a run whose estimated memory
    /// exceeds `--max-memory` or what the system has available; nothing is allocated before.
    private func requireMemory(widths: [Int], scalarBytes: Int, batch: Int, dataBytes: Double, layersFrom model: String?)
        throws
    {
        let copies =
            switch optimizer {
            case .sgd: (momentum ?? 0) > 0 ? 1 : 0
            case .rmsprop: (momentum ?? 0) > 0 ? 2 : 1
            case .adam, .adamw: 2
            }
        let estimate = MemoryEstimate(
            widths: widths, scalarBytes: scalarBytes, batch: batch, optimizerStateCopies: copies,
            normalization: normalization != .none, dataBytes: dataBytes)
        let limit: Double
        let needed: Double
        let against: String
        if let cap = try maxMemoryBytes() {
            (limit, needed, against) = (cap, estimate.total, "--max-memory \(maxMemory ?? "")")
        } else if let available = MemoryEstimate.availableBytes() {
            // The data is loaded already: it is part of what is in use, not of what is left.
            (limit, needed, against) = (available, estimate.total - estimate.data, "available memory")
        } else {
            return
        }
        guard needed > limit else { return }
        let d = MemoryEstimate.describe
        let modelBytes = estimate.parameters + estimate.gradients + estimate.optimizerState + estimate.checkpoint
        let flag =
            model.map { "a smaller model than \($0)" }
            ?? (modelBytes >= estimate.batchWorkspace
                ? (widths.count > 2 ? "lower --hidden" : "fewer classes or features")
                : "lower --batch-size")
        throw CLIError(
            "the run needs about \(d(estimate.total)) (parameters \(d(estimate.parameters)), gradients \(d(estimate.gradients)), optimizer state \(d(estimate.optimizerState)), batch workspace \(d(estimate.batchWorkspace)), saving a checkpoint \(d(estimate.checkpoint)), data \(d(estimate.data))) but \(against) is \(d(limit)); \(flag)"
        )
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

extension Activation: ExpressibleByArgument {
    /// A kind with optional arguments, as in a model file: `relu`, `leaky_relu(0.1)`, `elu`.
    public init?(argument: String) {
        guard let spec = try? ModuleSpec(parsing: argument),
            let activation = try? Activation(kind: spec.kind, arguments: spec.arguments)
        else { return nil }
        self = activation
    }

    public var defaultValueDescription: String { Layer<Double>.activation(self).spec.token }

    public static var allValueStrings: [String] { allCases.map(\.kind) }
}
extension Loss: ExpressibleByArgument {
    /// The loss named `argument`, without options.
    public init?(argument: String) { self.init(rawValue: argument) }

    /// The kinds' names.
    public static var allValueStrings: [String] { Kind.allCases.map(\.rawValue) }
}
extension Normalization: ExpressibleByArgument {}
extension Initializer: ExpressibleByArgument {}
extension Precision: ExpressibleByArgument {}

extension Duration {
    /// The duration in seconds.
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) * 1e-18
    }
}
