/// Running a network and computing its gradients from `Matrix` values.
extension Network {
    /// The raw last-module output `[batch, outputSize]` (logits for cross-entropy and bce), in
    /// evaluation mode (`model.eval()`: no dropout, batch normalisation's running statistics).
    /// - Throws: ``ShapeError`` if `input` is not `[batch, inputSize]`.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func predict(_ input: Matrix<T>) throws(ShapeError) -> Matrix<T> {
        var copy = self
        // A fresh workspace for this batch, rather than a copy of this network's.
        copy.workspace = []
        copy.workspaceCapacity = 0
        var output = Matrix<T>(rows: input.rows, columns: outputSize)
        try copy.predict(input, into: &output)
        return output
    }

    /// Writes the raw output into `output`, reusing its storage and the network's workspace: no
    /// allocation once both have room for the batch. Batches over 1024 rows run in chunks.
    /// - Throws: ``ShapeError`` if `input` is not `[batch, inputSize]`.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public mutating func predict(_ input: Matrix<T>, into output: inout Matrix<T>) throws(ShapeError) {
        try checkInput(input, operation: "Network.predict")
        if output.count == input.rows * outputSize {
            output.resize(rows: input.rows, columns: outputSize)
        } else {
            // One allocation; growing in place would append element by element.
            output = Matrix(rows: input.rows, columns: outputSize)
        }
        let chunk = chunkSize(for: input.rows)
        let width = inputSize
        input.withUnsafeBufferPointer { x in
            var start = 0
            while start < input.rows {
                let count = min(chunk, input.rows - start)
                _ = run(
                    input: UnsafeBufferPointer(rebasing: x[(start * width)..<((start + count) * width)]), batch: count,
                    targets: nil, loss: .mse, backward: false, inputGradient: false)
                copyOutput(into: &output, atRow: start)
                start += count
            }
        }
    }

    /// The head's output for `loss`: softmax probabilities for cross-entropy, `σ` for bce, the raw
    /// output for mse and categorical cross-entropy (see ``Loss/head(_:)``).
    /// - Throws: ``ShapeError`` if `input` is not `[batch, inputSize]`.
    public func headOutput(_ input: Matrix<T>, loss: Loss) throws(ShapeError) -> Matrix<T> {
        loss.head(try predict(input))
    }

    /// The mean loss of a batch and every gradient: dL/dparameter for every module (read them
    /// through ``layers``, ``dense(at:)`` or ``gradients``; overwritten, not accumulated) and, when
    /// `inputGradient` is true, dL/dX (``inputGradient``).
    ///
    /// `mode` is PyTorch's: in ``ExecutionMode/training`` (the default, as a fresh PyTorch
    /// module) dropout draws masks and batch normalisation uses the batch's statistics and
    /// updates its running statistics; ``ExecutionMode/evaluation`` is `model.eval()`.
    /// - Throws: ``ShapeError`` if `input` or `targets` do not fit the network and `loss`, or a
    ///   training-mode batch of one row meets batch normalisation.
    @discardableResult
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public mutating func lossAndGradients(
        for input: Matrix<T>, targets: Targets<T>, loss: Loss, inputGradient: Bool = true,
        mode: ExecutionMode = .training
    ) throws(ShapeError) -> T {
        try checkInput(input, operation: "Network.lossAndGradients")
        try loss.validate(targets, batch: input.rows, outputs: outputSize)
        if mode == .training, input.rows < 2, hasBatchNormalization {
            throw ShapeError(
                operation: "Network.lossAndGradients", shapes: [.init("input", input.shape)],
                reason: "batch normalisation in training mode needs two rows or more (PyTorch: expected more than "
                    + "1 value per channel)")
        }
        return input.withUnsafeBufferPointer { x in
            withTargetView(targets) { t in
                run(
                    input: x, batch: input.rows, targets: t, loss: loss, backward: true, inputGradient: inputGradient,
                    mode: mode
                ).loss
            }
        }
    }

    /// The mean loss and the accuracy (argmax for the cross-entropies, per element for bce; `nil`
    /// for mse) without computing gradients, in `mode` (by default `model.eval()`'s); in
    /// evaluation mode batches over 1024 rows run in chunks, in training mode the batch runs
    /// whole (its statistics are the batch's, and running statistics are updated).
    /// - Throws: ``ShapeError`` if `input` or `targets` do not fit the network and `loss`.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public mutating func evaluate(
        _ input: Matrix<T>, targets: Targets<T>, loss: Loss, mode: ExecutionMode = .evaluation
    ) throws(ShapeError) -> (loss: T, accuracy: Double?) {
        try checkInput(input, operation: "Network.evaluate")
        try loss.validate(targets, batch: input.rows, outputs: outputSize)
        if mode == .training, input.rows < 2, hasBatchNormalization {
            throw ShapeError(
                operation: "Network.evaluate", shapes: [.init("input", input.shape)],
                reason: "batch normalisation in training mode needs two rows or more")
        }
        let chunk = mode == .training ? input.rows : chunkSize(for: input.rows)
        let r = input.withUnsafeBufferPointer { x in
            withTargetView(targets) { t in
                evaluateInChunks(x, t, rows: 0..<input.rows, batchSize: chunk, loss: loss, mode: mode)
            }
        }
        return (T(r.loss), r.accuracy)
    }

    func checkInput(_ input: Matrix<T>, operation: String) throws(ShapeError) {
        guard input.columns == inputSize, input.rows > 0 else {
            throw ShapeError(
                operation: operation, shapes: [.init("input", input.shape)],
                reason: input.rows == 0
                    ? "the batch is empty" : "input must have \(inputSize) columns (the first layer's inputs)")
        }
    }
}
