import ArgumentParser
import Perceptron

/// `perceptron info`: which kernels do the arithmetic here (``BLASBackend/environment``).
struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show which kernels do the arithmetic: OpenBLAS's build, core and threads, and the CPU's vector units.",
        discussion: """
            OpenBLAS chooses its kernels ("core") for the CPU when it loads. If it chose a \
            fallback (an SSE- or AVX-only core on a CPU with AVX2 or AVX-512), Perceptron switches \
            to the best core it has and says so in one line on stderr; OPENBLAS_CORETYPE, when \
            set, is always respected. For tests, PERCEPTRON_SIMULATE_OPENBLAS_CORE=<core> acts as \
            if OpenBLAS had chosen that core at load.
            """)

    func run() throws {
        let world = try Communicator.world()
        guard world.isRoot else { return }
        if BLASBackend.isAvailable { _ = BackendOptions.kernelSelection }
        print(BLASBackend.environment)
        print(
            Communicator.isAvailable
                ? "MPI: a world of \(world.size) process\(world.size == 1 ? "" : "es")\(world.size == 1 ? " (not started by mpirun)" : "")"
                : "MPI: not in this build (build with --traits default,MPI for mpirun)")
    }
}
