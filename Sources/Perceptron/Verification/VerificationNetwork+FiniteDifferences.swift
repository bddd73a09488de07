extension VerificationNetwork {
    /// The largest relative error (see ``Discrepancy``) that passes between the analytic
    /// gradient and central finite differences in Double: 1e-6, as issue 4 sets. With
    /// `h = 1e-6` the truncation error is O(h²·L''') ≈ 1e-12 and the rounding error
    /// O(u·|L|/h) ≈ 1e-10, both far below it, while a wrong derivative is off by O(1).
    public static let finiteDifferenceTolerance = 1e-6

    /// The step of the central differences.
    public static let finiteDifferenceStep = 1e-6

    /// Analytic gradients (Double, the network's backend) against central finite differences
    /// `∂L/∂θ_i ≈ (L(θ + h·e_i) − L(θ − h·e_i)) / 2h` for every parameter and every input
    /// element, in the network's ``mode``; every pass draws the same dropout masks (the
    /// generator is reseeded), so the loss is a smooth function of θ and X. One check.
    /// - Throws: ``ShapeError`` if the network is inconsistent.
    public func finiteDifferences(seed: UInt64, backend: any Backend = defaultBackend()) throws(ShapeError) -> VerificationCheck {
        var (network, input, targets) = try make(as: Double.self, seed: seed, backend: backend)
        network.seedDropout(Self.dropoutSeed)
        let mode = self.mode
        try network.lossAndGradients(for: input, targets: targets, loss: loss, inputGradient: true, mode: mode)
        let analyticParameters = network.gradients
        let analyticInput = network.inputGradient.elements
        let h = Self.finiteDifferenceStep

        var parameters = network.parameters
        var numericParameters = [Double](repeating: 0, count: parameters.count)
        for i in parameters.indices {
            let saved = parameters[i]
            parameters[i] = saved + h
            try network.setParameters(parameters)
            let plus = try lossValue(&network, input, targets)
            parameters[i] = saved - h
            try network.setParameters(parameters)
            let minus = try lossValue(&network, input, targets)
            parameters[i] = saved
            numericParameters[i] = (plus - minus) / (2 * h)
        }
        try network.setParameters(parameters)

        var x = input
        var numericInput = [Double](repeating: 0, count: x.count)
        for r in 0..<x.rows {
            for c in 0..<x.columns {
                let saved = x[r, c]
                x[r, c] = saved + h
                let plus = try lossValue(&network, x, targets)
                x[r, c] = saved - h
                let minus = try lossValue(&network, x, targets)
                x[r, c] = saved
                numericInput[r * x.columns + c] = (plus - minus) / (2 * h)
            }
        }
        let discrepancy = Discrepancy(actual: analyticParameters, expected: numericParameters, name: "parameter gradients")
            .merged(with: Discrepancy(actual: analyticInput, expected: numericInput, name: "input gradient"))
        return VerificationCheck(
            name: "finite differences float64 \(name)", discrepancy: discrepancy, tolerance: Self.finiteDifferenceTolerance)
    }

    /// The loss in the network's ``mode`` with the masks of ``dropoutSeed``.
    private func lossValue(_ network: inout Network<Double>, _ x: Matrix<Double>, _ t: Targets<Double>) throws(ShapeError)
        -> Double
    {
        network.seedDropout(Self.dropoutSeed)
        return try network.evaluate(x, targets: t, loss: loss, mode: mode).loss
    }
}
