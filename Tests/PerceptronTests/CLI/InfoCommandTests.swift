import Foundation
import Glibc
import Testing

@testable import Perceptron

/// `perceptron info`, and OpenBLAS's core switched in a child process: switching replaces the
/// kernels under any thread inside OpenBLAS, so it is never done in the test process, where
/// other tests run in parallel. `PERCEPTRON_SIMULATE_OPENBLAS_CORE` makes the child act as if
/// OpenBLAS had chosen a fallback core at load.
@Suite struct InfoCommandTests {
    /// A CPU where a switch is possible and checkable: x86-64 with AVX2+FMA, and a DYNAMIC_ARCH OpenBLAS.
    static let canSwitch: Bool =
        BLASBackend.isAvailable && CPUFeatures.current.level >= .avx2
        && OpenBLASConfiguration(BLAS.configuration ?? "").isDynamicArch

    /// Runs `perceptron` with `arguments`, the variables in `environment` set (or, where `nil`,
    /// removed) through `env`, under the same watchdog as ``ReliabilitySupport/perceptron(_:in:)``.
    static func perceptron(
        _ arguments: [String], environment: [String: String?], in folder: String = "/tmp"
    ) throws -> ReliabilitySupport.Outcome {
        let command = try #require(ReliabilitySupport.commandPath, "the perceptron executable is not built beside the tests")
        // `env` takes its options (`-u NAME`) before the assignments.
        let sorted = environment.sorted { $0.key < $1.key }
        let settings =
            sorted.filter { $0.value == nil }.flatMap { ["-u", $0.key] }
            + sorted.compactMap { name, value in value.map { "\(name)=\($0)" } }
        let logs = FormatTestSupport.temporaryFolder()
        let pid = ReliabilitySupport.spawn(
            "/usr/bin/timeout",
            ["-s", "KILL", "\(ReliabilitySupport.timeLimit)", "/usr/bin/env"] + settings + [command] + arguments,
            in: folder, logs: logs)
        return ReliabilitySupport.wait(pid, logs: logs)
    }

    /// The core named on the `OpenBLAS core:` line.
    static func core(in output: String) -> String? {
        output.split(separator: "\n").first { $0.hasPrefix("OpenBLAS core: ") }
            .flatMap { $0.dropFirst("OpenBLAS core: ".count).split(separator: " ").first.map(String.init) }
    }

    /// No simulated core, and OpenBLAS choosing for itself.
    static let unset: [String: String?] = ["OPENBLAS_CORETYPE": nil, OpenBLASKernel.simulatedCoreVariable: nil]

    @Test func infoNamesTheCoreAndTheCPUVectorUnits() throws {
        let run = try Self.perceptron(["info"], environment: [OpenBLASKernel.simulatedCoreVariable: nil])
        #expect(run.status == 0, "\(run.standardError)")
        let lines = run.standardOutput.split(separator: "\n").map(String.init)
        let cpu = CPUFeatures.current
        let cpuLine = try #require(lines.first { $0.hasPrefix("CPU: \(cpu.identification)") })
        for name in cpu.extensions.names { #expect(cpuLine.split(separator: " ").contains(Substring(name)), "\(name)") }
        #expect(lines.contains("Perceptron's elementwise kernels: \(VectorUnit.name)"))
        if BLASBackend.isAvailable {
            // The child inherits this process's OPENBLAS_CORETYPE, so it runs the same core.
            #expect(Self.core(in: run.standardOutput) == BLASBackend.environment.openBLASCore)
            #expect(lines.contains { $0.hasPrefix("OpenBLAS: ") && $0.contains(BLAS.configuration ?? "?") })
            #expect(lines.contains { $0.hasPrefix("OpenBLAS threads: ") })
            #expect(lines.contains { $0.hasPrefix("OpenBLAS core decision: ") })
        }
    }

    @Test(.enabled(if: canSwitch))
    func withCoreTypeUnsetTheCoreInUseIsNoFallback() throws {
        let run = try Self.perceptron(["info"], environment: Self.unset)
        #expect(run.status == 0, "\(run.standardError)")
        let core = try #require(Self.core(in: run.standardOutput))
        let decision = OpenBLASCoreDecision.decide(
            cpu: .current, core: core, coreTypeSetting: nil, configuration: OpenBLASConfiguration(BLAS.configuration ?? ""))
        #expect(!decision.coreIsFallback, "\(run.standardOutput)")
    }

    @Test(.enabled(if: canSwitch), arguments: ["Prescott", "Nehalem", "Sandybridge"])
    func aSimulatedFallbackIsSwitchedToTheBestCoreAndSaidOnceOnStderr(fallback: String) throws {
        let best = try #require(OpenBLASCore.candidates(for: .current).first)
        var environment = Self.unset
        environment[OpenBLASKernel.simulatedCoreVariable] = fallback
        let run = try Self.perceptron(["info"], environment: environment)
        #expect(run.status == 0, "\(run.standardError)")
        #expect(Self.core(in: run.standardOutput) == best)
        #expect(run.standardOutput.contains("OpenBLAS core: \(best) (OpenBLAS chose \(fallback) at load)"))
        #expect(run.standardOutput.contains("OpenBLAS core decision: switched: "))
        let notice =
            "perceptron: OpenBLAS chose \(fallback) on a CPU with \(CPUFeatures.current.level); "
            + "using \(best) (set OPENBLAS_CORETYPE to choose yourself)"
        #expect(run.errorLines == [Substring(notice)])
        #expect(run.standardOutput.contains(" \(best) MAX_THREADS"), "openblas_get_config names the new core")
    }

    @Test(.enabled(if: canSwitch))
    func aUserSetCoreTypeIsRespectedAndNothingIsSaid() throws {
        let run = try Self.perceptron(["info"], environment: ["OPENBLAS_CORETYPE": "Haswell", OpenBLASKernel.simulatedCoreVariable: nil])
        #expect(run.status == 0 && run.standardError.isEmpty, "\(run.standardError)")
        #expect(Self.core(in: run.standardOutput) == "Haswell")
        #expect(run.standardOutput.contains("OpenBLAS core decision: kept: OPENBLAS_CORETYPE=Haswell is set and respected"))
    }

    /// The in-process switch gives exactly the kernels of the same core chosen at load: the same
    /// model's float32 logits, computed by OpenBLAS (?gemm, 2 threads as OpenBLAS has them),
    /// are bit for bit equal. A forced fallback computes them too, equal up to rounding.
    @Test(.enabled(if: canSwitch))
    func aSwitchedCoreComputesBitForBitWhatTheSameCoreChosenAtLoadComputes() throws {
        let folder = FormatTestSupport.temporaryFolder()
        var generator = SeededGenerator(seed: 14)
        let network = try Network<Float>(
            sizes: [96, 160, 128, 10], activation: .tanh, initializer: .xavier, using: &generator, backend: NaiveBackend())
        try ModelFile.write(network, loss: .crossEntropy, to: "\(folder)/m.safetensors")
        let x: Matrix<Float> = generator.gaussianMatrix(rows: 200, columns: 96)
        try NPY.write(Tensor(x), to: "\(folder)/x.npy")

        func logits(_ name: String, _ environment: [String: String?]) throws -> (core: String?, values: Matrix<Float>) {
            let predict = try Self.perceptron(
                ["predict", "--model", "m.safetensors", "--input", "x.npy", "--output", "\(name).npy", "--logits", "--backend", "blas"],
                environment: environment, in: folder)
            #expect(predict.status == 0, "\(predict.standardError)")
            let info = try Self.perceptron(["info"], environment: environment)
            return (Self.core(in: info.standardOutput), try NPY.read(from: "\(folder)/\(name).npy").matrix(as: Float.self))
        }
        var simulated = Self.unset
        simulated[OpenBLASKernel.simulatedCoreVariable] = "Prescott"
        let switched = try logits("switched", simulated)
        let core = try #require(switched.core)
        #expect(core == OpenBLASCore.candidates(for: .current).first)
        let atLoad = try logits("at-load", ["OPENBLAS_CORETYPE": core, OpenBLASKernel.simulatedCoreVariable: nil])
        #expect(atLoad.core == core)
        #expect(switched.values == atLoad.values)

        let prescott = try logits("prescott", ["OPENBLAS_CORETYPE": "Prescott", OpenBLASKernel.simulatedCoreVariable: nil])
        #expect(prescott.core == "Prescott")
        // FMA against separate multiplies and adds: the switch changed the kernels, not only
        // the name openblas_get_corename reports.
        #expect(switched.values != prescott.values)
        // Sums of 160 products of values below about 3 in magnitude, rounded in a different
        // order and with or without FMA: within a few hundred ulps of the largest logit.
        let scale = atLoad.values.elements.map(\.magnitude).max() ?? 1
        let difference = zip(prescott.values.elements, atLoad.values.elements).map { ($0 - $1).magnitude }.max() ?? 0
        #expect(difference <= 256 * Float.ulpOfOne * max(scale, 1))
    }

    @Test(.enabled(if: canSwitch))
    func verifyRespectsAFallbackCoreTheUserForcesWithOneWarningLine() throws {
        let run = try Self.perceptron(
            ["verify"], environment: ["OPENBLAS_CORETYPE": "Prescott", OpenBLASKernel.simulatedCoreVariable: nil])
        #expect(run.status == 0, "\(run.standardOutput)")
        #expect(run.errorLines.isEmpty, "\(run.errorLines)")
        let lines = run.standardOutput.split(separator: "\n")
        #expect(lines.first?.hasPrefix("OpenBLAS: ") == true)
        let warnings = lines.filter { $0.hasPrefix("OpenBLAS kernel WARNING: Prescott is a fallback core on this CPU") }
        #expect(warnings.count == 1 && warnings[0].contains("OPENBLAS_CORETYPE=Prescott"))
        #expect(lines.last?.hasSuffix(" checks passed") == true)
        #expect(lines.filter { $0.contains("FAIL") }.isEmpty)
    }

    @Test(.enabled(if: canSwitch))
    func verifyPassesAfterSwitchingAwayFromASimulatedFallback() throws {
        var environment = Self.unset
        environment[OpenBLASKernel.simulatedCoreVariable] = "Prescott"
        let run = try Self.perceptron(["verify"], environment: environment)
        #expect(run.status == 0, "\(run.standardOutput)")
        #expect(run.standardOutput.split(separator: "\n").last?.hasSuffix(" checks passed") == true)
        #expect(run.errorLines.count == 1)
    }
}
