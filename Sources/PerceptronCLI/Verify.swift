import ArgumentParser
import Perceptron

/// `perceptron verify`: checks an installation. First the kernels in use (as `perceptron info`
/// prints them); then seeded random networks of every layer kind and loss run on both backends
/// and against central finite differences; with `--reference DIR`, every case written by
/// `Scripts/reference/make_fixtures.py` (PyTorch) is compared too. OpenBLAS still running a
/// fallback core (see ``OpenBLASKernel``) fails; one that `OPENBLAS_CORETYPE` asked for is the
/// user's choice and gets a warning line.
struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check this build: BLAS vs naive backend, analytic vs finite-difference gradients, and PyTorch fixtures.",
        discussion: """
            Prints one row per check: the largest absolute error, the largest norm-wise relative \
            error (max |a − b| / max |b| per tensor), the tolerance on the relative error, and \
            pass or FAIL. Exits non-zero if any check fails, or if OpenBLAS still runs a fallback \
            kernel on this CPU (an SSE- or AVX-only core on a CPU with AVX2 or AVX-512) that \
            Perceptron could not switch away from. A fallback core that OPENBLAS_CORETYPE asked \
            for is respected and only warned about.
            """)

    @Option(
        help: ArgumentHelp(
            "A folder of reference cases (case-*/) written by Scripts/reference/make_fixtures.py.",
            valueName: "dir"))
    var reference: String?

    @Option(help: "Seed of the random networks.")
    var seed: UInt64 = 2026

    /// The backend the reference cases run on (the self-checks always compare both).
    @OptionGroup var compute: BackendOptions

    func run() throws {
        // Read the fixtures first, so bad input fails before any work (one line on stderr).
        let cases = try reference.map { folder throws(FormatError) in try ReferenceCase.all(in: folder) } ?? []
        let backend = try compute.make()
        if BLASBackend.isAvailable { _ = BackendOptions.kernelSelection }
        let environment = BLASBackend.environment
        print(environment)
        // A fallback core that Perceptron could not switch away from fails: this installation
        // does not run as it should, and the line says why. One the user set is their choice.
        let selection = environment.coreSelection
        let kernelFails = selection.isFallback && environment.coreTypeSetting == nil
        if selection.isFallback {
            print(
                "OpenBLAS kernel \(kernelFails ? "FAILED" : "WARNING"): \(selection.inUse) is a fallback core on this CPU: "
                    + selection.reason)
        }
        var checks = try VerificationNetwork.selfChecks(seed: seed)
        for reference in cases { checks += try reference.checks(backend: backend) }

        print(
            "perceptron verify: \(VerificationNetwork.all.count) seeded random networks (seed \(seed))"
                + (reference.map { ", \(cases.count) reference cases from \($0) on the \(backend.name) backend" } ?? ""))
        if !BLASBackend.isAvailable {
            print("this build has no BLAS: the BLAS vs naive checks are skipped")
        }
        print(VerificationCheck.table(checks), terminator: "")
        let failed = checks.filter { !$0.passed }
        if failed.isEmpty {
            print("all \(checks.count) checks passed")
        } else {
            print("\(failed.count) of \(checks.count) checks FAILED: " + failed.map(\.name).joined(separator: "; "))
        }
        if kernelFails { print("OpenBLAS kernel FAILED: \(selection.inUse) is still a fallback core on this CPU") }
        if !failed.isEmpty || kernelFails { throw ExitCode.failure }
    }
}
