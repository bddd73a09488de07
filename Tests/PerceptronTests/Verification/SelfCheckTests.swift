import Testing

@testable import Perceptron

@Suite struct SelfCheckTests {
    /// The networks of `perceptron verify` cover every module kind (every activation kind,
    /// dropout and both normalisations), both modes, and every loss.
    @Test func selfCheckNetworksCoverEveryModuleKindModeAndLoss() {
        var kinds = Set<String>()
        for network in VerificationNetwork.all {
            for module in network.modules {
                switch module {
                case .linear: kinds.insert("linear")
                case .activation(let a): kinds.insert(a.kind)
                case .dropout: kinds.insert("dropout")
                case .layerNorm: kinds.insert("layer_norm")
                case .batchNorm: kinds.insert("batch_norm")
                }
            }
        }
        #expect(kinds == Set(ModuleSpec.kinds))
        #expect(Set(VerificationNetwork.all.map(\.mode)).count == 2)
        #expect(Set(VerificationNetwork.all.map(\.loss)) == Set(Loss.allCases))
    }

    /// BLAS and naive agree (Float 1e-5, Double 1e-12 relative) through forward, gradients and
    /// three optimizer steps, and analytic gradients match central differences (Double, 1e-6)
    /// on every network; one check per network and comparison.
    @Test func selfChecksPassOnEveryNetwork() throws {
        let checks = try VerificationNetwork.selfChecks()
        let perNetwork = BLASBackend.isAvailable ? 3 : 1
        #expect(checks.count == VerificationNetwork.all.count * perNetwork)
        for check in checks { #expect(check.passed, "\(check)") }
    }

    /// A wrong gradient is caught: the finite-difference comparison of one network against
    /// gradients scaled by 1.001 reports an error near 1e-3.
    @Test func wrongGradientFailsTheFiniteDifferenceComparison() throws {
        let network = VerificationNetwork.all[0]
        let check = try network.finiteDifferences(seed: 7)
        #expect(check.passed)
        var (net, x, t) = try network.make(as: Double.self, seed: 7, backend: defaultBackend())
        try net.lossAndGradients(for: x, targets: t, loss: network.loss)
        let wrong = Discrepancy(actual: net.gradients.map { $0 * 1.001 }, expected: net.gradients)
        #expect(!VerificationCheck(name: "wrong", discrepancy: wrong, tolerance: VerificationNetwork.finiteDifferenceTolerance).passed)
    }
}
