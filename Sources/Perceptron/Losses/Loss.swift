/// A training objective, averaged as PyTorch's default `reduction="mean"` does.
///
/// Raw values are the model file's `perceptron.loss` and the CLI's `--loss` values.
public enum Loss: String, CaseIterable, Sendable {
    /// Softmax cross-entropy on logits (`nn.CrossEntropyLoss`), softmax fused and computed by a
    /// stable log-sum-exp: `L = −(1/N) Σ_i Σ_j t_ij log softmax(z_i)_j`; gradient
    /// `dL/dz = (ŷ·Σ_j t_j − t)/N`, which is `(ŷ − t)/N` for class indices (one-hot) or
    /// probability rows. Head: softmax.
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

    /// Whether accuracy is the argmax match (the cross-entropies), a 0.5 threshold per element
    /// (bce), or undefined (mse).
    public var hasAccuracy: Bool { self != .mse }

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
        switch self {
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
            guard self == .crossEntropy || self == .categoricalCrossEntropy else {
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
