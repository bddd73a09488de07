import ArgumentParser
import Perceptron

/// `--backend blas|naive` and `--threads N`, shared by every subcommand that computes.
struct BackendOptions: ParsableArguments {
    /// Which kernels to run on.
    enum Kind: String, ExpressibleByArgument, CaseIterable {
        case blas, naive
    }

    @Option(help: "Kernels: blas (OpenBLAS) or naive (plain Swift loops, the reference).")
    var backend: Kind = BLASBackend.isAvailable ? .blas : .naive

    @Option(help: "Threads for BLAS work (default: OpenBLAS's own choice, e.g. OPENBLAS_NUM_THREADS or the core count). Perceptron divides large products among its own threads, each block a single-threaded OpenBLAS call.")
    var threads: Int?

    func validate() throws {
        if let threads, !(1...BLASBackend.maximumThreadCount).contains(threads) {
            throw ValidationError("--threads must be between 1 and \(BLASBackend.maximumThreadCount) (got \(threads))")
        }
    }

    /// The chosen backend, with the thread count applied.
    func make() throws -> any Backend {
        switch backend {
        case .naive:
            return NaiveBackend()
        case .blas:
            _ = Self.kernelSelection
            if let threads { BLASBackend.setThreadCount(threads) }
            return try BLASBackend(threads: threads)
        }
    }

    /// OpenBLAS's kernels, judged and if need be switched once per process
    /// (``OpenBLASKernel/useBestAvailableCore()``), saying so in one line on stderr when it
    /// switched or the core is still a fallback.
    static let kernelSelection: OpenBLASCoreSelection = {
        let selection = OpenBLASKernel.useBestAvailableCore()
        if let notice = selection.notice { writeStandardError("perceptron: \(notice)\n") }
        return selection
    }()
}
