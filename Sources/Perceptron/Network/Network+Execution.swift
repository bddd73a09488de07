/// The hot path: forward, loss and backward over the workspace, with no allocation once the
/// workspace has room for the batch.
extension Network {
    /// Makes room for `batch` samples; allocates only when `batch` exceeds every earlier batch.
    /// The workspace starts with a ones vector of that capacity (for `db = Gᵀ·1`).
    mutating func reserveWorkspace(batch: Int) {
        guard batch > workspaceCapacity else { return }
        workspace = [T](repeating: 0, count: batch + plan.unitsPerSample * batch)
        workspace.withUnsafeMutableBufferPointer { ws in
            for i in 0..<batch { ws[i] = 1 }
        }
        workspaceCapacity = batch
    }

    /// Runs one batch: forward always; with `targets`, the loss (and correct count); with
    /// `backward`, every parameter gradient (overwriting ``gradients``) and, with
    /// `inputGradient`, dL/dX.
    ///
    /// Per step, forward: `Y = X·Wᵀ` (one ?gemm, B transposed; one ?gemv `y = W·x` for a single
    /// sample), then `Y ← f(Y + b)` in one pass (the ?gemm's ``GEMMEpilogue``, on each block of
    /// rows as the product finishes it).
    /// Backward from `G = dL/dY`: `G ← G ⊙ f'` in place (from saved outputs; GELU from the saved
    /// `Z`; softmax by its Jacobian-vector product; for a dense step below another dense step,
    /// as the epilogue of that step's `dX` product), `dW = Gᵀ·X` (?gemm, A transposed),
    /// `db = Gᵀ·1` (?gemv), `dX = G·W` (?gemm; skipped for the first layer unless asked).
    /// - Precondition: `input` holds `batch × inputSize` elements, `targets` match (checked by callers).
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    mutating func run(
        input: UnsafeBufferPointer<T>, batch: Int, targets: TargetView<T>?, loss: Loss,
        backward: Bool, inputGradient wantsInputGradient: Bool
    ) -> (loss: T, correct: Int, total: Int) {
        reserveWorkspace(batch: batch)
        lastBatch = batch
        let backend = self.backend
        let plan = self.plan
        let base = workspaceCapacity
        var result: (loss: T, correct: Int, total: Int) = (0, 0, 0)
        workspace.withUnsafeMutableBufferPointer { ws in
            parameterStorage.withUnsafeBufferPointer { p in
                // Inference leaves the gradients alone: asking for them mutably would copy the
                // whole buffer whenever it is shared (a `predict` on a copy of the network).
                func pass(_ g: UnsafeMutableBufferPointer<T>) {
                    let w = ws.baseAddress!
                    func buffer(_ unit: Int, _ width: Int) -> UnsafeMutableBufferPointer<T> {
                        UnsafeMutableBufferPointer(start: w + base + unit * batch, count: width * batch)
                    }
                    let ones = UnsafeBufferPointer(start: w, count: batch)
                    // Forward.
                    var x = input
                    for step in plan.steps {
                        let y = buffer(step.valueUnit, step.width)
                        if let slot = step.dense {
                            let weight = UnsafeBufferPointer(rebasing: p[slot.weightOffset..<slot.biasOffset])
                            let bias = UnsafeBufferPointer(
                                rebasing: p[slot.biasOffset..<(slot.biasOffset + slot.outputSize)])
                            let preactivation = step.preactivationUnit.map { buffer($0, step.width) }
                            let width = slot.outputSize
                            if batch == 1 {
                                // One sample: y = W·x, one ?gemv (BLAS's GEMM is slow for m = 1).
                                backend.gemv(
                                    transposeA: false, m: width, n: slot.inputSize, alpha: 1, a: weight,
                                    lda: slot.inputSize, x: x, beta: 0, y: y)
                                ActivationKernels.biasActivation(
                                    step.activation, values: y, bias: bias, preactivation: preactivation, rows: 1,
                                    columns: width)
                            } else {
                                // Y ← f(Y + b) on each block of rows as the product finishes it.
                                backend.gemm(
                                    transposeA: false, transposeB: true, m: batch, n: width, k: slot.inputSize,
                                    alpha: 1, a: x, lda: slot.inputSize, b: weight, ldb: slot.inputSize,
                                    beta: 0, c: y,
                                    epilogue: .biasActivation(step.activation, bias: bias, preactivation: preactivation))
                            }
                        } else if let activation = step.activation {
                            ActivationKernels.forward(
                                activation, input: x, output: y, rows: batch, columns: step.width)
                        }
                        x = UnsafeBufferPointer(y)
                    }
                    guard let targets, let last = plan.steps.last else { return }
                    // Loss, writing dL/dY of the last step.
                    result = LossKernels.evaluate(
                        loss, output: x, targets: targets,
                        gradient: backward ? buffer(last.gradientUnit, last.width) : nil,
                        rows: batch, columns: plan.outputSize)
                    guard backward else { return }
                    // Backward. A dense step's activation backward runs inside the next step's
                    // dX product, on each block of rows as it is finished (`fusedStep`).
                    var fusedStep = -1
                    for s in plan.steps.indices.reversed() {
                        let step = plan.steps[s]
                        let gradient = buffer(step.gradientUnit, step.width)
                        let input: UnsafeBufferPointer<T> =
                            s == 0 ? input : UnsafeBufferPointer(buffer(plan.steps[s - 1].valueUnit, step.inputWidth))
                        if let activation = step.activation, fusedStep != s {
                            // G ← dL/dZ. A standalone activation's G is also the previous step's G.
                            let z: UnsafeBufferPointer<T> =
                                if let unit = step.preactivationUnit {
                                    UnsafeBufferPointer(buffer(unit, step.width))
                                } else { step.dense == nil ? input : UnsafeBufferPointer(start: nil, count: 0) }
                            ActivationKernels.backward(
                                activation, input: z, output: UnsafeBufferPointer(buffer(step.valueUnit, step.width)),
                                gradient: gradient, rows: batch, columns: step.width)
                        }
                        guard let slot = step.dense else { continue }
                        let dZ = UnsafeBufferPointer(gradient)
                        let out = slot.outputSize
                        let inn = slot.inputSize
                        // dW = Gᵀ·X
                        backend.gemm(
                            transposeA: true, transposeB: false, m: out, n: inn, k: batch,
                            alpha: 1, a: dZ, lda: out, b: input, ldb: inn,
                            beta: 0, c: UnsafeMutableBufferPointer(rebasing: g[slot.weightOffset..<slot.biasOffset]),
                            ldc: inn)
                        // db = Gᵀ·1
                        backend.gemv(
                            transposeA: true, m: batch, n: out, alpha: 1, a: dZ, lda: out, x: ones, beta: 0,
                            y: UnsafeMutableBufferPointer(rebasing: g[slot.biasOffset..<(slot.biasOffset + out)]))
                        // dX = G·W
                        guard s > 0 || wantsInputGradient else { continue }
                        let dX =
                            s == 0 ? buffer(plan.inputGradientUnit, inn) : buffer(plan.steps[s - 1].gradientUnit, inn)
                        // With a dense step below, its activation backward G₋₁ ← dX ⊙ f′ runs as this
                        // product's epilogue, by blocks of rows.
                        var epilogue = GEMMEpilogue<T>.none
                        if s > 0, plan.steps[s - 1].dense != nil, let activation = plan.steps[s - 1].activation {
                            let previous = plan.steps[s - 1]
                            epilogue = .activationBackward(
                                activation,
                                input: previous.preactivationUnit.map { UnsafeBufferPointer(buffer($0, inn)) }
                                    ?? UnsafeBufferPointer(start: nil, count: 0),
                                output: UnsafeBufferPointer(buffer(previous.valueUnit, inn)))
                        }
                        backend.gemm(
                            transposeA: false, transposeB: false, m: batch, n: inn, k: out, alpha: 1, a: dZ, lda: out,
                            b: UnsafeBufferPointer(rebasing: p[slot.weightOffset..<slot.biasOffset]), ldb: inn, beta: 0,
                            c: dX, epilogue: epilogue)
                        if case .activationBackward = epilogue { fusedStep = s - 1 }
                    }
                }
                if backward {
                    gradientStorage.withUnsafeMutableBufferPointer { g in pass(g) }
                } else {
                    pass(UnsafeMutableBufferPointer(start: nil, count: 0))
                }
            }
        }
        return result
    }

    /// Copies the last forward pass's output `[lastBatch, outputSize]` into `output` starting at
    /// row `row` (`output` must have room).
    mutating func copyOutput(into output: inout Matrix<T>, atRow row: Int) {
        let batch = lastBatch
        let width = plan.outputSize
        guard let last = plan.steps.last, batch * width > 0 else { return }
        let start = workspaceCapacity + last.valueUnit * batch
        workspace.withUnsafeBufferPointer { ws in
            output.withUnsafeMutableBufferPointer { out in
                (out.baseAddress! + row * width).update(from: ws.baseAddress! + start, count: batch * width)
            }
        }
    }

    /// The number of rows a forward pass over `rows` samples runs at once: the whole batch up to
    /// 1024 rows (or the workspace's capacity, if larger), so that evaluating a large data set
    /// does not grow the workspace to its size.
    func chunkSize(for rows: Int) -> Int {
        max(workspaceCapacity, min(rows, 1024))
    }

    /// The first non-finite quantity of the last step, in the order that names a root cause:
    /// parameters (a layer's `W` or `b`; every later output follows from them), then outputs
    /// (e.g. NaN in the input data reaches the first layer's output), then gradients. Returns the
    /// module index and `"parameters"`, `"output"` or `"gradient"`.
    func firstNonFinite() -> (module: Int, kind: String)? {
        let batch = lastBatch
        for step in plan.steps {
            guard let slot = step.dense else { continue }
            let range = slot.weightOffset..<(slot.weightOffset + slot.parameterCount)
            if parameterStorage[range].contains(where: { !$0.isFinite }) { return (step.module, "parameters") }
        }
        for step in plan.steps {
            let start = workspaceCapacity + step.valueUnit * batch
            if workspace[start..<(start + step.width * batch)].contains(where: { !$0.isFinite }) {
                // A fused step's output is reported at its dense module: activations map finite
                // values to finite values, so the non-finite value came from the dense layer.
                return (step.module, "output")
            }
        }
        for step in plan.steps {
            guard let slot = step.dense else { continue }
            let range = slot.weightOffset..<(slot.weightOffset + slot.parameterCount)
            if gradientStorage[range].contains(where: { !$0.isFinite }) { return (step.module, "gradient") }
        }
        return nil
    }
}
