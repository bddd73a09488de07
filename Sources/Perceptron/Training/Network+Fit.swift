/// Minibatch training.
extension Network {
    /// Trains on `inputs` `[N, inputSize]` and `targets` (N samples) for `configuration.epochs`
    /// epochs and returns the per-epoch history.
    ///
    /// Each epoch: set the learning rate from the schedule; (re)shuffle the training indices with
    /// the seeded generator unless `shuffle` is off; for each batch, gather its rows into a
    /// preallocated batch buffer (in-order batches are read in place), compute the loss and
    /// gradients, clip them to ``TrainingConfiguration/maximumGradientNorm`` if set, apply
    /// `optimizer`, and report `progress`; then evaluate the validation samples
    /// (`validation`, or the last `validationFraction` of the data) and apply early stopping.
    /// After warm-up, a step allocates nothing.
    ///
    /// A non-finite loss is checked after every step and every parameter after every epoch;
    /// either stops training with ``TrainingError/nonFinite(epoch:step:layer:layerKind:quantity:)``
    /// naming the first non-finite layer.
    /// `epochEnded`, when given, is called after each epoch with its record and the network as
    /// trained so far (e.g. to save a checkpoint); if it throws, training stops with
    /// ``TrainingError/epochCallbackFailed(epoch:message:)``.
    /// `stopRequested`, when given, is asked before every step; when it answers `true`, training
    /// returns at once with the epochs completed so far and ``TrainingHistory/stopRequested`` set
    /// (the interrupted epoch is neither recorded nor reported to `epochEnded`).
    ///
    /// With a ``TrainingConfiguration/communicator`` of several processes, every process calls
    /// `fit` with the same data and configuration and trains data-parallel: rank 0's parameters
    /// are broadcast first, each rank runs the step on its contiguous share of every global batch
    /// and one allreduce per step gives all ranks the global batch's gradient and loss (equal to
    /// one process's up to the order of the sums). Every stop — non-finite, early stopping, a
    /// failed `epochEnded`, a `stopRequested` on any rank — is taken by all ranks on the same step.
    /// `progress` and `epochEnded` are called on every rank.
    /// - Throws: ``TrainingError``.
    public mutating func fit(
        _ inputs: Matrix<T>, _ targets: Targets<T>, loss: Loss, optimizer: inout some Optimizer<T>,
        configuration: TrainingConfiguration = TrainingConfiguration(),
        validation: (inputs: Matrix<T>, targets: Targets<T>)? = nil,
        progress: ((TrainingProgress) -> Void)? = nil,
        epochEnded: ((EpochRecord, Network<T>) throws -> Void)? = nil,
        stopRequested: (() -> Bool)? = nil
    ) throws(TrainingError) -> TrainingHistory {
        let c = configuration
        guard c.epochs >= 0 else { throw .invalidConfiguration("epochs must be at least 0 (got \(c.epochs))") }
        guard c.batchSize >= 1 else {
            throw .invalidConfiguration("batch size must be at least 1 (got \(c.batchSize))")
        }
        guard c.validationFraction >= 0, c.validationFraction < 1 else {
            throw .invalidConfiguration("validation fraction must be in [0, 1) (got \(c.validationFraction))")
        }
        if let patience = c.earlyStoppingPatience, patience < 1 {
            throw .invalidConfiguration("early-stopping patience must be at least 1 (got \(patience))")
        }
        try Self.checkTrainingOptions(c)
        var dataError: TrainingError?
        do {
            try checkInput(inputs, operation: "Network.fit")
            try loss.validate(targets, batch: inputs.rows, outputs: outputSize)
            if let validation {
                try checkInput(validation.inputs, operation: "Network.fit (validation)")
                try loss.validate(validation.targets, batch: validation.inputs.rows, outputs: outputSize)
            }
        } catch {
            dataError = .invalidData(error)
        }
        var parallel = DataParallelTraining<T>(communicator: c.communicator, parameterCount: parameterCount)
        if parallel.isDistributed {
            try parallel.start(
                parameters: &parameterStorage, localFailure: dataError,
                shape: [parameterCount, inputs.rows, validation?.inputs.rows ?? 0])
        } else if let dataError {
            throw dataError
        }
        let total = inputs.rows
        let heldOut = validation == nil ? Int((c.validationFraction * Double(total)).rounded()) : 0
        let trainCount = total - heldOut
        guard trainCount >= 1 else {
            throw .invalidConfiguration("validation fraction \(c.validationFraction) leaves no training samples")
        }
        let hasValidation = validation != nil || heldOut > 0
        if c.earlyStoppingPatience != nil && !hasValidation {
            throw .invalidConfiguration("early stopping needs validation data (a validation fraction or set)")
        }
        if c.schedule.needsValidation && !hasValidation {
            throw .invalidConfiguration("the plateau schedule needs validation data (a validation fraction or set)")
        }

        if hasBatchNormalization, c.batchSize == 1 || trainCount % c.batchSize == 1 {
            throw .invalidConfiguration(
                "batch normalisation needs two rows or more per training batch, but \(trainCount) training samples "
                    + "in batches of \(c.batchSize) give a batch of one row (choose another batch size)")
        }
        if parallel.isDistributed, hasBatchNormalization,
            parallel.hasOneRowShare(batchSize: c.batchSize, trainCount: trainCount)
        {
            throw .invalidConfiguration(
                "batch normalisation needs two rows or more per rank's share of a batch, but batches of "
                    + "\(c.batchSize) from \(trainCount) training samples shared by \(c.communicator.size) ranks give "
                    + "a share of one row (choose another batch size)")
        }
        // Dropout masks come from the run's seed, on a stream apart from the shuffling's (and
        // the rank's, when several train).
        seedDropout(parallel.dropoutSeed(c.seed ^ 0x5DEE_CE66_D1CE_D00D))

        var history = TrainingHistory(epochs: [], bestEpoch: nil, stoppedEarly: false)
        let baseRate = Double(optimizer.learningRate)
        let width = inputSize
        let outputs = outputSize
        let batchSize = c.batchSize
        let steps = trainCount / batchSize + (trainCount % batchSize == 0 ? 0 : 1)
        var generator = SeededGenerator(seed: c.seed)
        var order = Array(0..<trainCount)
        // Sized by the largest batch actually taken: a batch size above the sample count costs nothing.
        let largestBatch = min(batchSize, trainCount)
        var batchInputs = [T](repeating: 0, count: c.shuffle ? largestBatch * width : 0)
        var batchClasses = [Int](repeating: 0, count: c.shuffle ? largestBatch : 0)
        var batchRows = [T](repeating: 0, count: c.shuffle ? largestBatch * outputs : 0)
        reserveWorkspace(batch: min(batchSize, max(trainCount, heldOut, validation?.inputs.rows ?? 0)))
        var bestLoss = Double.infinity
        var validationLosses: [Double] = []
        validationLosses.reserveCapacity(c.schedule.needsValidation ? c.epochs : 0)
        var sinceBest = 0
        var failure: TrainingError?
        let clock = ContinuousClock()

        inputs.withUnsafeBufferPointer { x in
            withTargetView(targets) { t in
                for epoch in 0..<c.epochs {
                    let started = clock.now
                    let rate = c.schedule.learningRate(
                        base: baseRate, epoch: epoch, epochs: c.epochs, validationLosses: validationLosses)
                    optimizer.learningRate = T(rate)
                    if c.shuffle { Self.shuffle(&order, using: &generator) }
                    var lossSum = 0.0
                    var correct = 0
                    var counted = 0
                    for step in 0..<steps {
                        // With several ranks the request travels in the step's allreduce, and
                        // every rank stops before the same update.
                        var stop = stopRequested?() ?? false
                        if stop && !parallel.isDistributed {
                            history.stopRequested = true
                            return
                        }
                        // The global batch, and this rank's share of it (all of it alone).
                        let batch = (step * batchSize)..<min((step + 1) * batchSize, trainCount)
                        let start = parallel.share(of: batch).lowerBound
                        let count = parallel.share(of: batch).count
                        var r: (loss: T, correct: Int, total: Int) = (0, 0, 0)
                        // What this rank's mean loss divides by (its rows, or its class weights).
                        var weight = Double(count)
                        if count > 0 && c.shuffle {
                            r = Self.gather(
                                order[start..<(start + count)], from: x, t, width: width, outputs: outputs,
                                into: &batchInputs, &batchClasses, &batchRows
                            ) { bx, bt in
                                if parallel.isDistributed { weight = LossKernels.normalizer(loss, targets: bt, rows: count) }
                                return run(
                                    input: bx, batch: count, targets: bt, loss: loss, backward: true,
                                    inputGradient: false, mode: .training)
                            }
                        } else if count > 0 {
                            if parallel.isDistributed {
                                weight = LossKernels.normalizer(
                                    loss, targets: Self.slice(t, rows: start..<(start + count), columns: outputs),
                                    rows: count)
                            }
                            r = run(
                                input: UnsafeBufferPointer(rebasing: x[(start * width)..<((start + count) * width)]),
                                batch: count, targets: Self.slice(t, rows: start..<(start + count), columns: outputs),
                                loss: loss, backward: true, inputGradient: false, mode: .training)
                        }
                        if parallel.isDistributed {
                            do throws(TrainingError) {
                                (r.loss, stop) = try parallel.reduce(
                                    gradients: &gradientStorage, loss: r.loss, weight: weight, stop: stop)
                            } catch {
                                failure = error
                                return
                            }
                            if stop {
                                history.stopRequested = true
                                return
                            }
                        }
                        guard r.loss.isFinite else {
                            failure = nonFiniteError(epoch: epoch + 1, step: step + 1, agreedBy: parallel)
                            return
                        }
                        if let maximumNorm = c.maximumGradientNorm { clipGradientNorm(to: T(maximumNorm)) }
                        update(using: &optimizer)
                        lossSum += Double(r.loss) * Double(batch.count)
                        correct += r.correct
                        counted += r.total
                        progress?(
                            TrainingProgress(
                                epoch: epoch + 1, epochs: c.epochs, step: step + 1, steps: steps,
                                batchLoss: Double(r.loss), learningRate: rate))
                    }
                    if !Self.allFinite(parameterStorage) {
                        failure = nonFiniteError(epoch: epoch + 1, step: steps, agreedBy: parallel)
                        return
                    }
                    if parallel.isDistributed {
                        do throws(TrainingError) {
                            try parallel.average(&statisticsStorage)
                        } catch {
                            failure = error
                            return
                        }
                    }
                    // Validation over this rank's share of the validation rows (all of them alone).
                    var v: EvaluationSums?
                    if let validation {
                        v = validation.inputs.withUnsafeBufferPointer { vx in
                            withTargetView(validation.targets) { vt in
                                evaluationSums(
                                    vx, vt, rows: parallel.share(of: 0..<validation.inputs.rows),
                                    batchSize: batchSize, loss: loss)
                            }
                        }
                    } else if heldOut > 0 {
                        v = evaluationSums(
                            x, t, rows: parallel.share(of: trainCount..<total), batchSize: batchSize, loss: loss)
                    }
                    if parallel.isDistributed {
                        do throws(TrainingError) {
                            let sums = try parallel.sum([Double(correct), Double(counted)] + (v?.values ?? []))
                            (correct, counted) = (Int(sums[0]), Int(sums[1]))
                            if v != nil { v = EvaluationSums(values: sums[2...]) }
                        } catch {
                            failure = error
                            return
                        }
                    }
                    var record = EpochRecord(
                        epoch: epoch + 1, trainLoss: lossSum / Double(trainCount),
                        trainAccuracy: loss.hasAccuracy && counted > 0 ? Double(correct) / Double(counted) : nil,
                        validationLoss: v?.meanLoss, validationAccuracy: v?.accuracy(for: loss), learningRate: rate,
                        seconds: 0)
                    if c.schedule.needsValidation, let validationLoss = record.validationLoss {
                        validationLosses.append(validationLoss)
                    }
                    let elapsed = clock.now - started
                    record.seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
                    history.epochs.append(record)
                    if let epochEnded {
                        do {
                            try epochEnded(record, self)
                        } catch {
                            failure = .epochCallbackFailed(epoch: epoch + 1, message: "\(error)")
                        }
                    }
                    if parallel.isDistributed {
                        // Every rank stops if any rank's callback failed.
                        do throws(TrainingError) {
                            let failed = try parallel.sum([failure == nil ? 0 : 1])[0]
                            if failure == nil && failed > 0 {
                                failure = .epochCallbackFailed(
                                    epoch: epoch + 1, message: "the end-of-epoch callback failed on another rank")
                            }
                        } catch {
                            failure = error
                        }
                    }
                    if failure != nil { return }
                    if let validationLoss = record.validationLoss {
                        if validationLoss < bestLoss {
                            bestLoss = validationLoss
                            history.bestEpoch = epoch + 1
                            sinceBest = 0
                        } else {
                            sinceBest += 1
                            if let patience = c.earlyStoppingPatience, sinceBest >= patience {
                                history.stoppedEarly = epoch + 1 < c.epochs
                                return
                            }
                        }
                    }
                }
            }
        }
        if let failure { throw failure }
        return history
    }

    /// Checks the options of `configuration` that ``fit(_:_:loss:optimizer:configuration:validation:progress:epochEnded:)``
    /// adds to the loop: the gradient-norm bound and the plateau schedule's parameters.
    static func checkTrainingOptions(_ configuration: TrainingConfiguration) throws(TrainingError) {
        if let norm = configuration.maximumGradientNorm, !(norm.isFinite && norm > 0) {
            throw .invalidConfiguration("maximum gradient norm must be a positive number (got \(norm))")
        }
        if case .plateau(let factor, let patience, let threshold) = configuration.schedule {
            guard factor > 0, factor < 1 else {
                throw .invalidConfiguration("plateau factor must be in (0, 1) (got \(factor))")
            }
            guard patience >= 0 else { throw .invalidConfiguration("plateau patience must be at least 0 (got \(patience))") }
            guard threshold.isFinite, threshold >= 0, threshold < 1 else {
                throw .invalidConfiguration("plateau threshold must be in [0, 1) (got \(threshold))")
            }
        }
    }

    /// The error naming the first non-finite output, parameter or gradient of the last step.
    func nonFiniteError(epoch: Int, step: Int) -> TrainingError {
        nonFiniteError(epoch: epoch, step: step, found: firstNonFinite() ?? (plan.modules.count - 1, "loss"))
    }

    /// The error naming `found`, a module index and what was non-finite there.
    func nonFiniteError(epoch: Int, step: Int, found: (module: Int, kind: String)) -> TrainingError {
        let kind = plan.modules[found.module].kind
        return .nonFinite(epoch: epoch, step: step, layer: found.module, layerKind: kind, quantity: found.kind)
    }

    /// Mean loss and accuracy over `rows` of `x`/`t`, evaluated `batchSize` rows at a time (the
    /// workspace never grows past the training batch). Exact: every loss is a weighted mean over
    /// rows of a per-row quantity (see `LossKernels.normalizer`).
    mutating func evaluateInChunks(
        _ x: UnsafeBufferPointer<T>, _ t: TargetView<T>, rows: Range<Int>, batchSize: Int, loss: Loss,
        mode: ExecutionMode = .evaluation
    ) -> (loss: Double, accuracy: Double?) {
        let sums = evaluationSums(x, t, rows: rows, batchSize: batchSize, loss: loss, mode: mode)
        return (sums.meanLoss, sums.accuracy(for: loss))
    }

    /// The sums behind ``evaluateInChunks(_:_:rows:batchSize:loss:mode:)``: loss × rows, correct
    /// and counted predictions over `rows`, `batchSize` rows at a time.
    mutating func evaluationSums(
        _ x: UnsafeBufferPointer<T>, _ t: TargetView<T>, rows: Range<Int>, batchSize: Int, loss: Loss,
        mode: ExecutionMode = .evaluation
    ) -> EvaluationSums {
        var sums = EvaluationSums()
        var start = rows.lowerBound
        while start < rows.upperBound {
            let count = min(batchSize, rows.upperBound - start)
            let r = run(
                input: UnsafeBufferPointer(rebasing: x[(start * inputSize)..<((start + count) * inputSize)]),
                batch: count, targets: Self.slice(t, rows: start..<(start + count), columns: outputSize),
                loss: loss, backward: false, inputGradient: false, mode: mode)
            // Each chunk's mean weighted by what it divides by (its rows, or with class weights
            // the weights of its targets' classes): the mean over all the rows at once.
            let weight = LossKernels.normalizer(
                loss, targets: Self.slice(t, rows: start..<(start + count), columns: outputSize), rows: count)
            sums.lossSum += Double(r.loss) * weight
            sums.weight += weight
            sums.lastLoss = Double(r.loss)
            sums.correct += r.correct
            sums.counted += r.total
            sums.chunks += 1
            start += count
        }
        return sums
    }

    /// The targets of `rows`, in place.
    static func slice(_ t: TargetView<T>, rows: Range<Int>, columns: Int) -> TargetView<T> {
        switch t {
        case .classes(let c):
            return .classes(UnsafeBufferPointer(rebasing: c[rows]))
        case .rows(let m, let isProbability):
            return .rows(
                UnsafeBufferPointer(rebasing: m[(rows.lowerBound * columns)..<(rows.upperBound * columns)]),
                isProbability: isProbability)
        }
    }

    /// Copies the rows `indices` of `x` and `t` into the batch buffers and calls `body` with them.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    static func gather(
        _ indices: ArraySlice<Int>, from x: UnsafeBufferPointer<T>, _ t: TargetView<T>, width: Int, outputs: Int,
        into inputs: inout [T], _ classes: inout [Int], _ rows: inout [T],
        _ body: (UnsafeBufferPointer<T>, TargetView<T>) -> (loss: T, correct: Int, total: Int)
    ) -> (loss: T, correct: Int, total: Int) {
        let count = indices.count
        return inputs.withUnsafeMutableBufferPointer { bx in
            for (k, i) in indices.enumerated() {
                (bx.baseAddress! + k * width).update(from: x.baseAddress! + i * width, count: width)
            }
            let batchInputs = UnsafeBufferPointer(rebasing: bx[0..<(count * width)])
            switch t {
            case .classes(let c):
                return classes.withUnsafeMutableBufferPointer { bc in
                    for (k, i) in indices.enumerated() { bc[k] = c[i] }
                    return body(batchInputs, .classes(UnsafeBufferPointer(rebasing: bc[0..<count])))
                }
            case .rows(let m, let isProbability):
                return rows.withUnsafeMutableBufferPointer { br in
                    for (k, i) in indices.enumerated() {
                        (br.baseAddress! + k * outputs).update(from: m.baseAddress! + i * outputs, count: outputs)
                    }
                    return body(
                        batchInputs,
                        .rows(UnsafeBufferPointer(rebasing: br[0..<(count * outputs)]), isProbability: isProbability))
                }
            }
        }
    }

    /// Whether every element is finite (a specialised loop: the generic `contains(where:)` boxes
    /// each element when called from unspecialised code).
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    static func allFinite(_ values: [T]) -> Bool {
        values.withUnsafeBufferPointer { buffer in
            // x·0 is 0 for finite x and NaN for ±∞ or NaN: one branch-free pass.
            var probe: T = 0
            for x in buffer { probe += x * 0 }
            return probe == 0
        }
    }

    /// Fisher–Yates with the seeded generator: the same seed gives the same order everywhere.
    static func shuffle(_ order: inout [Int], using generator: inout SeededGenerator) {
        guard order.count > 1 else { return }
        for i in stride(from: order.count - 1, to: 0, by: -1) {
            let j = Int(generator.next(upperBound: UInt64(i + 1)))
            order.swapAt(i, j)
        }
    }
}
