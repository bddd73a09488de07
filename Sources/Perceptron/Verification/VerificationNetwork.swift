/// A seeded random network with data, used by the self-checks of `perceptron verify` (backend
/// agreement and finite differences). ``all`` covers every layer kind and every loss.
public struct VerificationNetwork: Sendable {
    /// What the targets are.
    public enum TargetKind: String, Sendable {
        /// Class indices.
        case indices
        /// Probability rows (soft labels).
        case probabilities
        /// Values: Gaussian for mse, in `[0, 1]` for bce.
        case values
    }

    /// A short name for the report.
    public var name: String
    /// A module of a verification network.
    public enum Module: Sendable, Hashable {
        /// A dense layer (Xavier weights, random biases), the next width of ``widths``.
        case linear
        case activation(Activation)
        case dropout(Double)
        /// Layer normalisation with random `w`, `b`.
        case layerNorm
        /// Batch normalisation with random `w`, `b` and running statistics.
        case batchNorm
    }

    /// The modules in order.
    public var modules: [Module]
    /// Widths of the dense layers, input first.
    public var widths: [Int]
    /// The loss.
    public var loss: Loss
    /// The targets' kind.
    public var targets: TargetKind
    /// Samples in the batch.
    public var batch: Int
    /// The mode gradients are checked in (dropout and batch normalisation differ).
    public var mode: ExecutionMode = .training

    /// A verification network.
    public init(
        name: String, modules: [Module], widths: [Int], loss: Loss, targets: TargetKind, batch: Int,
        mode: ExecutionMode = .training
    ) {
        self.name = name
        self.modules = modules
        self.widths = widths
        self.loss = loss
        self.targets = targets
        self.batch = batch
        self.mode = mode
    }

    /// The seed of the dropout masks of every pass of a check.
    static let dropoutSeed: UInt64 = 77

    /// Every activation in one network: linear, relu, linear, leaky_relu, linear, sigmoid,
    /// linear, tanh, linear, gelu, linear.
    static let everyActivation: [Module] = [
        .linear, .activation(.relu), .linear, .activation(.leakyReLU()), .linear, .activation(.sigmoid), .linear,
        .activation(.tanh), .linear, .activation(.gelu), .linear,
    ]

    /// The newer activations, with arguments other than PyTorch's defaults: linear, silu,
    /// linear, softplus(2,4), linear, elu(0.7), linear, leaky_relu(-0.2), linear.
    static let newerActivations: [Module] = [
        .linear, .activation(.silu), .linear, .activation(.softplus(beta: 2, threshold: 4)), .linear,
        .activation(.elu(alpha: 0.7)), .linear, .activation(.leakyReLU(negativeSlope: -0.2)), .linear,
    ]

    /// Normalisation and dropout as PyTorch users stack them: linear, batch_norm, relu,
    /// dropout(0.3), linear, layer_norm, silu, linear.
    static let normalized: [Module] = [
        .linear, .batchNorm, .activation(.relu), .dropout(0.3), .linear, .layerNorm, .activation(.silu), .linear,
    ]

    /// The networks of the self-checks: every elementwise activation with each loss on logits
    /// (cross-entropy with indices and probability rows, mse, bce), and a softmax module with
    /// categorical cross-entropy (indices and probability rows).
    public static let all: [VerificationNetwork] = [
        .init(name: "all activations, cross-entropy (indices)", modules: everyActivation, widths: [6, 7, 5, 6, 5, 4, 3], loss: .crossEntropy, targets: .indices, batch: 5),
        .init(name: "all activations, cross-entropy (probabilities)", modules: everyActivation, widths: [5, 4, 7, 3, 6, 3, 4], loss: .crossEntropy, targets: .probabilities, batch: 3),
        .init(name: "all activations, mse", modules: everyActivation, widths: [4, 5, 5, 4, 3, 2, 2], loss: .mse, targets: .values, batch: 7),
        .init(name: "all activations, bce", modules: everyActivation, widths: [3, 6, 4, 5, 4, 3, 3], loss: .bce, targets: .values, batch: 4),
        .init(name: "softmax, categorical cross-entropy (indices)", modules: [.linear, .activation(.tanh), .linear, .activation(.softmax)], widths: [5, 6, 4], loss: .categoricalCrossEntropy, targets: .indices, batch: 5),
        .init(name: "softmax, categorical cross-entropy (probabilities)", modules: [.linear, .activation(.gelu), .linear, .activation(.softmax)], widths: [4, 5, 3], loss: .categoricalCrossEntropy, targets: .probabilities, batch: 3),
        .init(name: "silu, softplus, elu, leaky_relu(-0.2), mse", modules: newerActivations, widths: [5, 6, 5, 4, 3, 2], loss: .mse, targets: .values, batch: 6),
        .init(name: "batch_norm, dropout, layer_norm, training mode, cross-entropy", modules: normalized, widths: [5, 7, 6, 4], loss: .crossEntropy, targets: .indices, batch: 6),
        .init(name: "batch_norm, dropout, layer_norm, evaluation mode, bce", modules: normalized, widths: [4, 6, 5, 3], loss: .bce, targets: .values, batch: 5, mode: .evaluation),
    ]

    /// The network (Xavier weights, small random biases), an input `[batch, in]` with
    /// standard normal elements and matching targets, all drawn from `seed`.
    /// - Throws: ``ShapeError`` if ``modules`` and ``widths`` disagree.
    public func make<T: Scalar>(
        as type: T.Type, seed: UInt64, backend: any Backend
    ) throws(ShapeError) -> (network: Network<T>, input: Matrix<T>, targets: Targets<T>) {
        var generator = SeededGenerator(seed: seed)
        var layers: [Layer<T>] = []
        var next = 0
        for module in modules {
            let features = widths[min(next, widths.count - 1)]
            func vector(_ low: Double, _ high: Double) -> [T] {
                (0..<features).map { _ in generator.uniform(T(low), T(high)) }
            }
            switch module {
            case .linear: break
            case .activation(let activation):
                layers.append(.activation(activation))
                continue
            case .dropout(let p):
                layers.append(.dropout(probability: p))
                continue
            case .layerNorm:
                layers.append(.layerNorm(try LayerNorm(weight: vector(0.5, 1.5), bias: vector(-0.5, 0.5))))
                continue
            case .batchNorm:
                layers.append(
                    .batchNorm(
                        try BatchNorm(
                            weight: vector(0.5, 1.5), bias: vector(-0.5, 0.5), runningMean: vector(-0.5, 0.5),
                            runningVariance: vector(0.5, 2), batchesTracked: 3)))
                continue
            }
            guard next + 1 < widths.count else {
                throw ShapeError(
                    operation: "VerificationNetwork.make", shapes: [.init("widths", widths)],
                    reason: "one more width than linear modules needed")
            }
            var dense = Dense<T>(inputSize: widths[next], outputSize: widths[next + 1], initializer: .xavier, using: &generator)
            // Nonzero biases, so their gradients and the bias paths are exercised.
            dense.bias = dense.bias.map { _ in generator.uniform(T(-0.5), T(0.5)) }
            layers.append(.dense(dense))
            next += 1
        }
        var network = try Network(layers: layers, backend: backend)
        network.seedDropout(Self.dropoutSeed)
        let input: Matrix<T> = generator.gaussianMatrix(rows: batch, columns: widths[0])
        let outputs = widths[widths.count - 1]
        let targets: Targets<T>
        switch self.targets {
        case .indices:
            targets = .classes((0..<batch).map { _ in Int(generator.next() % UInt64(outputs)) })
        case .probabilities:
            var rows = generator.uniformMatrix(rows: batch, columns: outputs, in: T(0.1), T(1))
            for i in 0..<batch {
                let sum = (0..<outputs).reduce(T(0)) { $0 + rows[i, $1] }
                for j in 0..<outputs { rows[i, j] /= sum }
            }
            targets = .probabilities(rows)
        case .values:
            targets = .values(
                loss.kind == .bce
                    ? generator.uniformMatrix(rows: batch, columns: outputs, in: T(0), T(1))
                    : generator.gaussianMatrix(rows: batch, columns: outputs))
        }
        return (network, input, targets)
    }
}

extension VerificationNetwork {
    /// Every self-check on every network of ``all``, networks seeded from `seed`: BLAS against
    /// naive in float32 and float64 (skipped when the build has no BLAS), then finite
    /// differences in float64.
    /// - Throws: the first error of a check (a ``ShapeError`` would mean an inconsistent
    ///   network definition).
    public static func selfChecks(seed: UInt64 = 2026) throws -> [VerificationCheck] {
        var checks: [VerificationCheck] = []
        for (i, network) in all.enumerated() {
            let networkSeed = seed &+ UInt64(i) &* 1000
            if BLASBackend.isAvailable {
                checks.append(try network.backendAgreement(as: Float.self, seed: networkSeed))
                checks.append(try network.backendAgreement(as: Double.self, seed: networkSeed))
            }
            checks.append(try network.finiteDifferences(seed: networkSeed))
        }
        return checks
    }
}
