/// A training objective, averaged as PyTorch's default `reduction="mean"` does: a ``Kind`` and,
/// for cross-entropy, PyTorch's `label_smoothing` and class `weight` options.
///
/// Raw values are the model file's `perceptron.loss` and the CLI's `--loss` values; they name the
/// kind only (options are not part of a model, as in PyTorch). Two losses are equal when kind
/// and options are.
public struct Loss: Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// The four objectives.
    public enum Kind: String, CaseIterable, Sendable {
        /// Softmax cross-entropy on logits (`nn.CrossEntropyLoss`), softmax fused and computed by a
        /// stable log-sum-exp: `L = −(1/N) Σ_i Σ_j t_ij log softmax(z_i)_j`; gradient
        /// `dL/dz = (ŷ·Σ_j t_j − t)/N`, which is `(ŷ − t)/N` for class indices (one-hot) or
        /// probability rows. Head: softmax. With options see ``Loss/labelSmoothing`` and
        /// ``Loss/classWeights``.
        case crossEntropy = "cross-entropy"
        /// Mean squared error over all elements (`nn.MSELoss`): `L = Σ (y − t)² / (N·C)`,
        /// `dL/dy = 2(y − t)/(N·C)`. Head: identity.
        case mse
        /// Binary cross-entropy with logits over all elements (`nn.BCEWithLogitsLoss`), stable form
        /// `L = Σ (max(z, 0) − z·t + log(1 + e^(−|z|))) / (N·C)`, `dL/dz = (σ(z) − t)/(N·C)`.
        /// Head: sigmoid.
        case bce
        /// Categorical cross-entropy on probabilities (the output of a softmax layer):
        /// `L = −(1/N) Σ_i Σ_j t_ij log y_ij`, `dL/dy = −t/(N·y)` (0 where `t = 0`). Its gradient
        /// reaches the logits through the softmax Jacobian. Head: identity (already probabilities).
        case categoricalCrossEntropy = "categorical-cross-entropy"
    }

    /// The objective.
    public let kind: Kind
    /// Cross-entropy's `label_smoothing` `ε` in `[0, 1]`: every target row `t` becomes
    /// `(1 − ε)·t + ε/C` (class indices as one-hot rows). 0 for the other kinds.
    ///
    /// With class indices `y_i` and weights `w` (all 1 without ``classWeights``), as PyTorch:
    /// `L = Σ_i [(1 − ε)·w_(y_i)·(lse_i − z_(i,y_i)) + (ε/C)·Σ_j w_j·(lse_i − z_ij)] / Σ_i w_(y_i)`,
    /// `dL/dz_ik = [(1 − ε)·w_(y_i)·(p_ik − δ_(k,y_i)) + (ε/C)·(p_ik·Σ_j w_j − w_k)] / Σ_i w_(y_i)`
    /// (`p = softmax(z)`, `lse = log Σ_j e^(z_j)`).
    public let labelSmoothing: Double
    /// Cross-entropy's class `weight` `w` (`[C]`, each ≥ 0), or `nil` for none.
    ///
    /// Class indices: the mean is weighted, divided by the weights of the targets' classes
    /// (formula at ``labelSmoothing``). Probability rows, as PyTorch: the weight multiplies each
    /// class term and the mean divides by `N`: with `u_ij = w_j·t'_ij`, `t' = (1 − ε)·t + ε/C`,
    /// `L = (1/N) Σ_i Σ_j u_ij·(lse_i − z_ij)`, `dL/dz_ik = (p_ik·Σ_j u_ij − u_ik)/N`.
    public let classWeights: [Double]?

    /// ``Kind/crossEntropy`` without options.
    public static let crossEntropy = Loss(kind: .crossEntropy)
    /// ``Kind/mse``.
    public static let mse = Loss(kind: .mse)
    /// ``Kind/bce``.
    public static let bce = Loss(kind: .bce)
    /// ``Kind/categoricalCrossEntropy``.
    public static let categoricalCrossEntropy = Loss(kind: .categoricalCrossEntropy)

    /// Every kind, without options.
    public static var allCases: [Loss] { Kind.allCases.map { Loss(kind: $0) } }

    private init(kind: Kind) {
        self.kind = kind
        labelSmoothing = 0
        classWeights = nil
    }

    /// A loss of `kind` with options; the defaults are PyTorch's (none).
    /// - Throws: ``LossError`` if an option is given for a kind other than cross-entropy, `ε`
    ///   is outside `[0, 1]`, or a weight is negative or not finite. (The number of weights is
    ///   checked against the output width with the targets, by ``validate(_:batch:outputs:)``.)
    public init(_ kind: Kind, labelSmoothing: Double = 0, classWeights: [Double]? = nil) throws(LossError) {
        if kind != .crossEntropy, labelSmoothing != 0 || classWeights != nil {
            throw .optionNeedsCrossEntropy(kind: kind.rawValue)
        }
        guard labelSmoothing >= 0, labelSmoothing <= 1 else { throw .labelSmoothingOutOfRange(labelSmoothing) }
        if let classWeights, let bad = classWeights.firstIndex(where: { !($0.isFinite && $0 >= 0) }) {
            throw .invalidClassWeight(index: bad, value: classWeights[bad])
        }
        self.kind = kind
        self.labelSmoothing = labelSmoothing
        self.classWeights = classWeights
    }

    /// The loss of the kind named `rawValue` (`"cross-entropy"`, `"mse"`, `"bce"`,
    /// `"categorical-cross-entropy"`), without options; `nil` for any other name.
    public init?(rawValue: String) {
        guard let kind = Kind(rawValue: rawValue) else { return nil }
        self.init(kind: kind)
    }

    /// The kind's name, as in the model file.
    public var rawValue: String { kind.rawValue }

    /// The kind's name and any option, e.g. `cross-entropy (label smoothing 0.1)`.
    public var description: String {
        var options: [String] = []
        if labelSmoothing != 0 { options.append("label smoothing \(labelSmoothing)") }
        if let classWeights { options.append("class weights " + classWeights.map { "\($0)" }.joined(separator: ",")) }
        return options.isEmpty ? rawValue : "\(rawValue) (\(options.joined(separator: ", ")))"
    }

    /// Whether cross-entropy has an option set (the kernels' general path).
    var hasOptions: Bool { labelSmoothing != 0 || classWeights != nil }

    /// Whether accuracy is the argmax match (the cross-entropies), a 0.5 threshold per element
    /// (bce), or undefined (mse).
    public var hasAccuracy: Bool { kind != .mse }

    /// The loss averaged as documented on each case.
    /// - Throws: ``ShapeError`` if the targets do not match the prediction (or a class index is
    ///   out of range).
    public func value<T: Scalar>(_ prediction: Matrix<T>, _ targets: Targets<T>) throws(ShapeError) -> T {
        try evaluate(prediction, targets, gradient: false).loss
    }

    /// dL/d(prediction), `[batch, outputs]`, as documented on each case.
    /// - Throws: ``ShapeError`` if the targets do not match the prediction.
    public func gradient<T: Scalar>(_ prediction: Matrix<T>, _ targets: Targets<T>) throws(ShapeError) -> Matrix<T> {
        try evaluate(prediction, targets, gradient: true).gradient
    }

    /// The head applied to a network's raw output for reporting: softmax probabilities for
    /// cross-entropy, `σ` for bce, identity for mse and categorical cross-entropy.
    public func head<T: Scalar>(_ output: Matrix<T>) -> Matrix<T> {
        switch kind {
        case .crossEntropy: Activation.softmax.forward(output)
        case .bce: Activation.sigmoid.forward(output)
        case .mse, .categoricalCrossEntropy: output
        }
    }

    /// Checks `targets` against an output of `outputs` columns and `batch` rows.
    /// - Throws: ``ShapeError`` naming the operation, both shapes and the violation.
    public func validate<T: Scalar>(_ targets: Targets<T>, batch: Int, outputs: Int) throws(ShapeError) {
        // Built only on the throwing paths: validation itself must not allocate (hot path).
        var expected: [ShapeError.Operand] { [.init("output", [batch, outputs])] }
        switch targets {
        case .classes(let c):
            guard kind == .crossEntropy || kind == .categoricalCrossEntropy else {
                throw ShapeError(
                    operation: "Loss.\(rawValue)", shapes: expected + [.init("targets", [c.count])],
                    reason: "\(rawValue) needs float targets [batch, outputs], not class indices")
            }
            guard c.count == batch else {
                throw ShapeError(
                    operation: "Loss.\(rawValue)", shapes: expected + [.init("targets", [c.count])],
                    reason: "one class index per sample needed")
            }
            if let bad = c.firstIndex(where: { $0 < 0 || $0 >= outputs }) {
                throw ShapeError(
                    operation: "Loss.\(rawValue)", shapes: expected + [.init("targets", [c.count])],
                    reason: "class index \(c[bad]) of sample \(bad) is outside 0..<\(outputs)")
            }
        case .probabilities(let m), .values(let m):
            guard m.rows == batch, m.columns == outputs else {
                throw ShapeError(
                    operation: "Loss.\(rawValue)", shapes: expected + [.init("targets", m.shape)],
                    reason: "targets must have the output's shape")
            }
        }
        if let classWeights, classWeights.count != outputs {
            throw ShapeError(
                operation: "Loss.\(rawValue)", shapes: expected + [.init("class weights", [classWeights.count])],
                reason: "one class weight per output needed")
        }
    }

    private func evaluate<T: Scalar>(
        _ prediction: Matrix<T>, _ targets: Targets<T>, gradient wantsGradient: Bool
    ) throws(ShapeError) -> (loss: T, gradient: Matrix<T>) {
        try validate(targets, batch: prediction.rows, outputs: prediction.columns)
        var gradient = Matrix<T>(rows: wantsGradient ? prediction.rows : 0, columns: prediction.columns)
        let loss: T = prediction.withUnsafeBufferPointer { y in
            gradient.withUnsafeMutableBufferPointer { g in
                withTargetView(targets) { view in
                    LossKernels.evaluate(
                        self, output: y, targets: view, gradient: wantsGradient ? g : nil,
                        rows: prediction.rows, columns: prediction.columns
                    ).loss
                }
            }
        }
        return (loss, gradient)
    }
}

/// Calls `body` with `targets` as buffers.
func withTargetView<T: Scalar, R>(_ targets: Targets<T>, _ body: (TargetView<T>) -> R) -> R {
    switch targets {
    case .classes(let c): return c.withUnsafeBufferPointer { body(.classes($0)) }
    case .probabilities(let m): return m.withUnsafeBufferPointer { body(.rows($0, isProbability: true)) }
    case .values(let m): return m.withUnsafeBufferPointer { body(.rows($0, isProbability: false)) }
    }
}
