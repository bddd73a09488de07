/// The hot path: forward, loss and backward over the workspace, with no allocation once the
/// workspace has room for the batch.
extension Network {
    /// Makes room for `batch` samples; allocates only when `batch` exceeds every earlier batch.
    /// The workspace starts with a ones vector of that capacity (for `db = Gᵀ·1`), then the
    /// plan's batch-independent scratch.
    mutating func reserveWorkspace(batch: Int) {
        guard batch > workspaceCapacity else { return }
        workspace = [T](repeating: 0, count: batch + plan.scratchCount + plan.unitsPerSample * batch)
        workspace.withUnsafeMutableBufferPointer { ws in
            for i in 0..<batch { ws[i] = 1 }
        }
        workspaceCapacity = batch
    }

    /// Where the units start in the workspace.
    var unitsStart: Int { workspaceCapacity + plan.scratchCount }

    /// Runs one batch in `mode`: the forward loop over the plan's steps; with `targets`, the loss
    /// (and correct count); with `backward`, the backward loop, which overwrites every
    /// parameter gradient (``gradients``) and, with `inputGradient`, dL/dX. Each step's forward
    /// and backward pass, and its formulas, are in its own file under `Network/Steps/`.
    /// - Precondition: `input` holds `batch × inputSize` elements, `targets` match, and a
    ///   training-mode batch of a network with batch normalisation has two rows or more
    ///   (checked by callers).
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    mutating func run(
        input: UnsafeBufferPointer<T>, batch: Int, targets: TargetView<T>?, loss: Loss,
        backward: Bool, inputGradient wantsInputGradient: Bool, mode: ExecutionMode = .evaluation
    ) -> (loss: T, correct: Int, total: Int) {
        reserveWorkspace(batch: batch)
        lastBatch = batch
        let backend = self.backend
        let plan = self.plan
        let capacity = workspaceCapacity
        var result: (loss: T, correct: Int, total: Int) = (0, 0, 0)
        workspace.withUnsafeMutableBufferPointer { ws in
            parameterStorage.withUnsafeBufferPointer { p in
                statisticsStorage.withUnsafeMutableBufferPointer { statistics in
                    batchesTracked.withUnsafeMutableBufferPointer { counters in
                        withUnsafeMutablePointer(to: &dropoutGenerator) { generator in
                            // Inference leaves the gradients alone: asking for them mutably
                            // would copy the whole buffer whenever it is shared (a `predict`
                            // on a copy of the network).
                            func pass(_ g: UnsafeMutableBufferPointer<T>) {
                                let w = ws.baseAddress!
                                let c = StepContext(
                                    backend: backend, batch: batch, mode: mode, units: w + capacity + plan.scratchCount,
                                    scratch: w + capacity, ones: UnsafeBufferPointer(start: w, count: batch),
                                    parameters: p, gradients: g, statistics: statistics, batchesTracked: counters,
                                    generator: generator)
                                result = Self.pass(
                                    plan, c, input: input, targets: targets, loss: loss, backward: backward,
                                    inputGradient: wantsInputGradient)
                            }
                            if backward {
                                gradientStorage.withUnsafeMutableBufferPointer { g in pass(g) }
                            } else {
                                pass(UnsafeMutableBufferPointer(start: nil, count: 0))
                            }
                        }
                    }
                }
            }
        }
        return result
    }

    /// The forward loop, the loss, and the backward loop over `plan`'s steps.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    static func pass(
        _ plan: ExecutionPlan, _ c: StepContext<T>, input: UnsafeBufferPointer<T>, targets: TargetView<T>?,
        loss: Loss, backward: Bool, inputGradient wantsInputGradient: Bool
    ) -> (loss: T, correct: Int, total: Int) {
        let steps = plan.steps
        // Forward: each step reads the output of the step below (the input for the first).
        var x = input
        for step in steps {
            let layout = step.layout
            let y = c.unit(layout.valueUnit, width: layout.width)
            step.forward(
                StepIO(input: x, output: y, outputGradient: y, inputGradient: nil), c)
            x = UnsafeBufferPointer(y)
        }
        guard let targets, let last = steps.last?.layout else { return (0, 0, 0) }
        // The loss, writing dL/dY of the last step.
        let result = LossKernels.evaluate(
            loss, output: x, targets: targets, gradient: backward ? c.unit(last.gradientUnit, width: last.width) : nil,
            rows: c.batch, columns: plan.outputSize)
        guard backward else { return result }
        // Backward: each step turns dL/d(its output) into its parameter gradients and
        // dL/d(its input), the gradient buffer of the step below (or of the input).
        for s in steps.indices.reversed() {
            let layout = steps[s].layout
            let below = s == 0 ? plan.inputGradientUnit : steps[s - 1].layout.gradientUnit
            let input = s == 0 ? input : UnsafeBufferPointer(c.unit(steps[s - 1].layout.valueUnit, width: layout.inputWidth))
            steps[s].backward(
                StepIO(
                    input: input, output: c.unit(layout.valueUnit, width: layout.width),
                    outputGradient: c.unit(layout.gradientUnit, width: layout.width),
                    inputGradient: s > 0 || wantsInputGradient ? c.unit(below, width: layout.inputWidth) : nil), c)
        }
        return result
    }

    /// Copies the last forward pass's output `[lastBatch, outputSize]` into `output` starting at
    /// row `row` (`output` must have room).
    mutating func copyOutput(into output: inout Matrix<T>, atRow row: Int) {
        let batch = lastBatch
        let width = plan.outputSize
        guard let last = plan.steps.last, batch * width > 0 else { return }
        let start = unitsStart + last.layout.valueUnit * batch
        workspace.withUnsafeBufferPointer { ws in
            output.withUnsafeMutableBufferPointer { out in
                (out.baseAddress! + row * width).update(from: ws.baseAddress! + start, count: batch * width)
            }
        }
    }

    /// The last forward pass's output `[lastBatch, outputSize]`, as a new matrix.
    var lastOutput: Matrix<T> {
        var copy = self
        var output = Matrix<T>(rows: lastBatch, columns: plan.outputSize)
        copy.copyOutput(into: &output, atRow: 0)
        return output
    }

    /// The number of rows a forward pass over `rows` samples runs at once: the whole batch up to
    /// 1024 rows (or the workspace's capacity, if larger), so that evaluating a large data set
    /// does not grow the workspace to its size.
    func chunkSize(for rows: Int) -> Int {
        max(workspaceCapacity, min(rows, 1024))
    }

    /// The first non-finite quantity of the last step, in the order that names a root cause:
    /// parameters (a module's `W`, `b`, `w`; every later output follows from them), then
    /// outputs (e.g. NaN in the input data reaches the first layer's output), then gradients.
    /// Returns the module index and `"parameters"`, `"output"` or `"gradient"`.
    func firstNonFinite() -> (module: Int, kind: String)? {
        let batch = lastBatch
        for (i, module) in plan.modules.enumerated() {
            let range = module.parameterRange
            if parameterStorage[range].contains(where: { !$0.isFinite }) { return (i, "parameters") }
        }
        for step in plan.steps {
            let layout = step.layout
            let start = unitsStart + layout.valueUnit * batch
            if workspace[start..<(start + layout.width * batch)].contains(where: { !$0.isFinite }) {
                // A fused step's output is reported at its dense module: activations map finite
                // values to finite values, so the non-finite value came from the dense layer.
                return (layout.module, "output")
            }
        }
        for (i, module) in plan.modules.enumerated() {
            let range = module.parameterRange
            if gradientStorage[range].contains(where: { !$0.isFinite }) { return (i, "gradient") }
        }
        return nil
    }
}
