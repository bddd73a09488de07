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
    /// The modules in order; dense modules are linear, the rest activations.
    public var kinds: [Activation?]
    /// Widths of the dense layers, input first.
    public var widths: [Int]
    /// The loss.
    public var loss: Loss
    /// The targets' kind.
    public var targets: TargetKind
    /// Samples in the batch.
    public var batch: Int

    /// Every activation in one network: linear, relu, linear, leaky_relu, linear, sigmoid,
    /// linear, tanh, linear, gelu, linear.
    static let everyActivation: [Activation?] = [
        nil, .relu, nil, .leakyReLU, nil, .sigmoid, nil, .tanh, nil, .gelu, nil,
    ]

    /// The networks of the self-checks: every elementwise activation with each loss on logits
    /// (cross-entropy with indices and probability rows, mse, bce), and a softmax module with
    /// categorical cross-entropy (indices and probability rows).
    public static let all: [VerificationNetwork] = [
        .init(name: "all activations, cross-entropy (indices)", kinds: everyActivation, widths: [6, 7, 5, 6, 5, 4, 3], loss: .crossEntropy, targets: .indices, batch: 5),
        .init(name: "all activations, cross-entropy (probabilities)", kinds: everyActivation, widths: [5, 4, 7, 3, 6, 3, 4], loss: .crossEntropy, targets: .probabilities, batch: 3),
        .init(name: "all activations, mse", kinds: everyActivation, widths: [4, 5, 5, 4, 3, 2, 2], loss: .mse, targets: .values, batch: 7),
        .init(name: "all activations, bce", kinds: everyActivation, widths: [3, 6, 4, 5, 4, 3, 3], loss: .bce, targets: .values, batch: 4),
        .init(name: "softmax, categorical cross-entropy (indices)", kinds: [nil, .tanh, nil, .softmax], widths: [5, 6, 4], loss: .categoricalCrossEntropy, targets: .indices, batch: 5),
        .init(name: "softmax, categorical cross-entropy (probabilities)", kinds: [nil, .gelu, nil, .softmax], widths: [4, 5, 3], loss: .categoricalCrossEntropy, targets: .probabilities, batch: 3),
    ]

    /// The network (Xavier weights, small random biases), an input `[batch, in]` with
    /// standard normal elements and matching targets, all drawn from `seed`.
    /// - Throws: ``ShapeError`` if ``kinds`` and ``widths`` disagree.
    public func make<T: Scalar>(
        as type: T.Type, seed: UInt64, backend: any Backend
    ) throws(ShapeError) -> (network: Network<T>, input: Matrix<T>, targets: Targets<T>) {
        var generator = SeededGenerator(seed: seed)
        var layers: [Layer<T>] = []
        var next = 0
        for kind in kinds {
            if let activation = kind {
                layers.append(.activation(activation))
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
        let network = try Network(layers: layers, backend: backend)
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
                loss == .bce
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
