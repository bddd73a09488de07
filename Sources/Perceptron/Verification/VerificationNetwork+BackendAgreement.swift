extension VerificationNetwork {
    /// The largest relative error (see ``Discrepancy``) that passes between the BLAS and naive
    /// backends: the two sum the same products in different orders (OpenBLAS blocks and
    /// vectorises), so they differ by rounding only: a few units of `T`'s roundoff (Float
    /// 6e-8, Double 1.1e-16) times the sum lengths, growing over training steps. Float 1e-5 and
    /// Double 1e-12, as issue 4 sets for the backends' agreement.
    public static func backendTolerance(for precision: Precision) -> Double {
        switch precision {
        case .float32: 1e-5
        case .float64: 1e-12
        }
    }

    /// The number of training steps in ``backendAgreement(as:seed:)``.
    public static let trainingSteps = 3

    /// BLAS against the naive backend on this network: the forward output, the loss, every
    /// gradient (parameters and input), then the parameters after ``trainingSteps`` steps of
    /// an optimizer (SGD with Nesterov momentum and weight decay, Adam with L2 decay or AdamW,
    /// by network; SGD with batch normalisation), each step on a different batch, in training
    /// mode, and the running statistics after them. One check.
    /// - Throws: ``BackendUnavailableError`` if the build has no BLAS; ``ShapeError`` if the
    ///   network is inconsistent.
    public func backendAgreement<T: Scalar>(as type: T.Type, seed: UInt64) throws -> VerificationCheck {
        var (blas, input, targets) = try make(as: T.self, seed: seed, backend: try BLASBackend())
        var naive = blas
        naive.backend = NaiveBackend()
        var discrepancy = Discrepancy(actual: try blas.predict(input).elements, expected: try naive.predict(input).elements, name: "output")
        let lossBLAS = try blas.lossAndGradients(for: input, targets: targets, loss: loss, inputGradient: true, mode: mode)
        let lossNaive = try naive.lossAndGradients(for: input, targets: targets, loss: loss, inputGradient: true, mode: mode)
        discrepancy = discrepancy.merged(with: Discrepancy(actual: [lossBLAS], expected: [lossNaive], name: "loss"))
        discrepancy = discrepancy.merged(with: Discrepancy(actual: blas.gradients, expected: naive.gradients, name: "parameter gradients"))
        discrepancy = discrepancy.merged(
            with: Discrepancy(actual: blas.inputGradient.elements, expected: naive.inputGradient.elements, name: "input gradient"))

        // Training steps on batches drawn from the next seeds.
        var batches: [(Matrix<T>, Targets<T>)] = []
        for step in 0..<Self.trainingSteps {
            let (_, x, t) = try make(as: T.self, seed: seed &+ UInt64(step + 1), backend: NaiveBackend())
            batches.append((x, t))
        }
        // Adam and AdamW divide each gradient by its own running magnitude: where the exact
        // gradient is 0 (the bias of a linear layer feeding batch normalisation, which removes
        // any constant), they would turn the two backends' different rounding noise into steps
        // of ±lr. Networks with batch normalisation therefore train with SGD.
        let choice = modules.contains(.batchNorm) ? 0 : (Self.all.firstIndex { $0.name == name } ?? 0) % 3
        func train(_ optimizer: some Optimizer<T>) throws {
            var a = optimizer
            var b = optimizer
            for (x, t) in batches {
                try blas.trainStep(on: x, targets: t, loss: loss, optimizer: &a)
                try naive.trainStep(on: x, targets: t, loss: loss, optimizer: &b)
            }
        }
        switch choice {
        case 0: try train(SGD<T>(learningRate: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.01))
        case 1: try train(Adam<T>(learningRate: 0.01, weightDecay: 0.01))
        default: try train(AdamW<T>(learningRate: 0.01))
        }
        discrepancy = discrepancy.merged(with: Discrepancy(actual: blas.parameters, expected: naive.parameters, name: "trained parameters"))
        discrepancy = discrepancy.merged(
            with: Discrepancy(actual: blas.statisticsStorage, expected: naive.statisticsStorage, name: "running statistics"))
        return VerificationCheck(
            name: "blas vs naive \(T.precision) \(name)", discrepancy: discrepancy,
            tolerance: Self.backendTolerance(for: T.precision))
    }
}
