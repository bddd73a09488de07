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
            """)

    @OptionGroup var data: DataOptions

    @Option(help: "Hidden layer widths, comma-separated (empty for none).")
    var hidden: String = "256,128"

    @Option(
        help: ArgumentHelp(
            "Hidden activation: relu, leaky_relu, sigmoid, tanh, gelu, silu, softplus or elu.",
            discussion: "Arguments as in a model file: leaky_relu(0.1), elu(0.5), softplus(2,20)."))
    var activation: Activation = .relu

    @Option(help: "Normalisation after each hidden linear layer, before its activation: none, layer or batch.")
    var normalization: Normalization = .none

    @Option(help: "Dropout probability after each hidden activation (0 for none).")
    var dropout: Double = 0

    @Option(help: "Loss: cross-entropy, mse or bce.")
    var loss: Loss = .crossEntropy

    @OptionGroup var lossOptions: LossOptions

    @Option(help: "Weight initialiser: he, he-normal, xavier, xavier-normal, orthogonal or pytorch.")
    var initializer: Initializer = .pytorch

    @Option(help: "Precision: float32 or float64.")
    var dtype: Precision = .float32

    @Option(help: "Optimizer: sgd, adam, adamw or rmsprop (alpha 0.99, eps 1e-8, not centered).")
    var optimizer: OptimizerKind = .adam

    @Option(help: "Learning rate.")
    var learningRate: Double = 0.001

    @Option(help: "Momentum (sgd, rmsprop).")
    var momentum: Double = 0

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

    @Option(help: "With --schedule step: epochs between decays.")
    var stepSize: Int = 5

    @Option(help: "With --schedule step or plateau: the decay factor.")
    var gamma: Double = 0.1

    @Option(help: "With --schedule plateau: epochs without improvement before the rate drops.")
    var plateauPatience: Int = 10

    @Option(help: "Clip the gradients to this global L2 norm before each update (clip_grad_norm_).")
    var clipGradNorm: Double?

    @Option(help: "Fraction of the training data held out for validation (taken from its end).")
    var validationFraction: Double = 0

    @Option(help: "Stop after this many epochs without a better validation loss.")
    var earlyStopping: Int?

    @Option(help: "Seed for initialisation and shuffling.")
    var seed: UInt64 = 0

    @Flag(help: "Take batches in order (the last partial batch included).")
    var noShuffle = false

    @OptionGroup var compute: BackendOptions

    @Option(help: "Write per-epoch metrics to this CSV file.")
    var metrics: String?

    @Option(help: "Draw loss and accuracy per epoch to this SVG file.")
    var plot: String?

    @Option(help: "Where to save the model (rewritten atomically at the end of every epoch).")
    var output: String = "model.safetensors"

    @Option(help: "Start from this saved model (its layers, loss and dtype come from the file).")
    var `init`: String?

    /// `--optimizer` values.
    enum OptimizerKind: String, ExpressibleByArgument, CaseIterable { case sgd, adam, adamw, rmsprop }

    /// `--schedule` values.
    enum ScheduleKind: String, ExpressibleByArgument, CaseIterable { case constant, step, cosine, plateau }

    func validate() throws {
        guard epochs >= 1 else { throw ValidationError("--epochs must be at least 1 (got \(epochs))") }
        guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1 (got \(batchSize))") }
        guard learningRate.isFinite, learningRate > 0 else {
            throw ValidationError("--learning-rate must be a positive number (got \(learningRate))")
        }
        guard momentum.isFinite, momentum >= 0 else { throw ValidationError("--momentum must be ≥ 0 (got \(momentum))") }
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
        guard stepSize >= 1 else { throw ValidationError("--step-size must be at least 1 (got \(stepSize))") }
        guard gamma.isFinite, gamma > 0 else { throw ValidationError("--gamma must be positive (got \(gamma))") }
        if schedule == .plateau {
            guard gamma < 1 else { throw CLIError("--gamma must be below 1 with --schedule plateau (got \(gamma))") }
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
        if nesterov, optimizer != .sgd || momentum == 0 {
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
        if loss.kind == .categoricalCrossEntropy {
            throw ValidationError("--loss must be cross-entropy, mse or bce")
        }
    }

    func hiddenWidths() throws -> [Int] {
        let parts = hidden.split(separator: ",", omittingEmptySubsequences: true)
        return try parts.map { part in
            guard let width = Int(part.trimmingCharacters(in: .whitespaces)), width >= 1 else {
                throw ValidationError("--hidden must be positive integers separated by commas (got '\(hidden)')")
            }
            return width
        }
    }

    func run() throws {
        warnAboutStaleTemporaryFiles()
        let backend = try compute.make()
        if let path = self.`init` {
            let model = try naming(path) { try ModelFile.read(from: path, backend: backend) }
            switch model {
            case .float32(let saved): try train(saved.network, loss: saved.loss, backend: backend)
            case .float64(let saved): try train(saved.network, loss: saved.loss, backend: backend)
            }
            return
        }
        switch dtype {
        case .float32: try train(nil as Network<Float>?, loss: loss, backend: backend)
        case .float64: try train(nil as Network<Double>?, loss: loss, backend: backend)
        }
    }

    private func train<T: Scalar>(_ start: Network<T>?, loss: Loss, backend: any Backend) throws {
        let data = try data.load(T.self, loss: loss)
        var generator = SeededGenerator(seed: seed)
        var network: Network<T>
        if var start {
            start.backend = backend
            network = start
        } else {
            let outputs = data.train.targets.outputWidth
            guard outputs >= 1 else { throw CLIError("\(data.train.source): no targets to learn") }
            network = try Network<T>(
                sizes: [data.train.inputs.columns] + hiddenWidths() + [outputs], activation: activation,
                normalization: normalization, dropout: dropout, initializer: initializer, using: &generator,
                backend: backend)
        }
        guard network.inputSize == data.train.inputs.columns else {
            throw CLIError(
                "\(data.train.source): samples have \(data.train.inputs.columns) features but the model's first layer takes \(network.inputSize)")
        }
        let modelName = self.`init` ?? "the network"
        let loss = try lossOptions.applied(to: loss, outputs: network.outputSize)
        try data.train.requireClasses(below: network.outputSize, of: modelName)
        try data.test?.requireClasses(below: network.outputSize, of: modelName)
        let configuration = TrainingConfiguration(
            epochs: epochs, batchSize: batchSize, shuffle: !noShuffle, seed: seed,
            validationFraction: validationFraction, schedule: scheduleValue, earlyStoppingPatience: earlyStopping,
            maximumGradientNorm: clipGradNorm)
        writeStandardError(
            "training \(network.layerDescription) (\(network.parameterCount) parameters, \(T.precision), \(loss.rawValue), \(backend.name)) on \(data.train.inputs.rows) samples from \(data.train.source)\n")

        var bar = ProgressBar()
        var points: [EpochPoint] = []
        var csv = MetricsCSV()
        let output = self.output
        let history: TrainingHistory
        let clock = ContinuousClock()
        let started = clock.now
        do {
            history = try fit(&network, data.train, loss: loss, configuration: configuration) { progress in
                bar.update(
                    epoch: progress.epoch, epochs: progress.epochs, step: progress.step, total: progress.steps,
                    loss: progress.batchLoss)
            } epochEnded: { record, trained in
                bar.finishEpoch()
                print(EpochLine(record).text)
                try ModelFile.write(trained, loss: loss, to: output)
                // Counted only once saved: the failure message names the last checkpoint kept.
                points.append(EpochPoint(record))
                csv.append(record)
            }
        } catch let error as TrainingError {
            bar.finishEpoch()
            let kept = points.isEmpty ? "" : " (the checkpoint of epoch \(points.count) is kept in \(output))"
            throw CLIError("\(data.train.source): training stopped: \(error)\(kept)")
        }
        let seconds = (clock.now - started).seconds
        if history.stoppedEarly, let best = history.bestEpoch {
            print("early stopping after epoch \(history.epochs.count): best validation loss at epoch \(best)")
        }
        if let test = data.test {
            let (testLoss, accuracy) = try naming(test.source) {
                try network.evaluate(test.inputs, targets: test.targets, loss: loss)
            }
            let accuracyText = accuracy.map { ", accuracy \(format($0 * 100, digits: 2))%" } ?? ""
            print("test: loss \(format(Double(testLoss), digits: 4))\(accuracyText) on \(test.inputs.rows) samples")
        }
        print("saved \(output) after \(format(seconds, digits: 2)) s of training")
        if let metrics {
            try naming(metrics) { try AtomicFile.write(Array(csv.text.utf8), to: metrics) }
        }
        if let plot {
            let chart = TrainingChart(title: "\(network.layerDescription) · \(loss.rawValue) · \(optimizer.rawValue)", points: points)
            try naming(plot) { try AtomicFile.write(Array(chart.svg().utf8), to: plot) }
        }
    }

    /// One line on stderr naming the temporary files an interrupted save left beside the files
    /// this run writes (the model, metrics and plot), so the user can delete them. Deletes nothing:
    /// another process may be saving there.
    private func warnAboutStaleTemporaryFiles() {
        let stale = [output, metrics, plot].compactMap { $0 }.flatMap { AtomicFile.staleTemporaryFiles(beside: $0) }
        guard !stale.isEmpty else { return }
        writeStandardError(
            "warning: temporary files left by an interrupted save (delete them unless another process is writing): \(stale.joined(separator: ", "))\n")
    }

    private var scheduleValue: LearningRateSchedule {
        switch schedule {
        case .constant: .constant
        case .step: .step(every: stepSize, gamma: gamma)
        case .cosine: .cosine
        case .plateau: .plateau(factor: gamma, patience: plateauPatience)
        }
    }

    /// Runs `Network.fit` with the optimizer the flags name.
    private func fit<T: Scalar>(
        _ network: inout Network<T>, _ samples: Samples<T>, loss: Loss, configuration: TrainingConfiguration,
        progress: @escaping (TrainingProgress) -> Void,
        epochEnded: @escaping (EpochRecord, Network<T>) throws -> Void
    ) throws -> TrainingHistory {
        let rate = T(learningRate)
        switch optimizer {
        case .sgd:
            var o = SGD<T>(learningRate: rate, momentum: T(momentum), nesterov: nesterov, weightDecay: T(weightDecay ?? 0))
            return try network.fit(
                samples.inputs, samples.targets, loss: loss, optimizer: &o, configuration: configuration,
                progress: progress, epochEnded: epochEnded)
        case .adam:
            var o = Adam<T>(learningRate: rate, weightDecay: T(weightDecay ?? 0))
            return try network.fit(
                samples.inputs, samples.targets, loss: loss, optimizer: &o, configuration: configuration,
                progress: progress, epochEnded: epochEnded)
        case .adamw:
            var o = AdamW<T>(learningRate: rate, weightDecay: T(weightDecay ?? 0.01))
            return try network.fit(
                samples.inputs, samples.targets, loss: loss, optimizer: &o, configuration: configuration,
                progress: progress, epochEnded: epochEnded)
        case .rmsprop:
            var o = RMSprop<T>(learningRate: rate, weightDecay: T(weightDecay ?? 0), momentum: T(momentum))
            return try network.fit(
                samples.inputs, samples.targets, loss: loss, optimizer: &o, configuration: configuration,
                progress: progress, epochEnded: epochEnded)
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
