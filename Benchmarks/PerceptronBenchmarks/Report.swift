#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Perceptron

/// Everything one run measured: the JSON written by `--json`. The keys of `gemm`,
/// `trainingStep`, `inference` and `epoch` rows are a contract (issue 7); fields may be added.
struct Report: Codable, Sendable {
    var machine: MachineDescription
    /// Which kernels did the arithmetic (`BLASBackend.environment`): the OpenBLAS build, core
    /// and threads, whether the core was switched from a fallback, the CPU's extensions.
    var environment: BLASEnvironment?
    var gemm: [GEMMRow] = []
    var trainingStep: [TrainingStepRow] = []
    var inference: [InferenceRow] = []
    var epoch: [EpochRow] = []
    /// The `mpi` section (data-parallel training under mpirun).
    var dataParallel: [DataParallelRow] = []
    /// Anything a reader must know to interpret the numbers (extrapolations, synthetic data…).
    var notes: [String] = []
}

/// Where and how the numbers were taken.
struct MachineDescription: Codable, Sendable {
    var cpu: String
    var logicalCores: Int
    /// `OPENBLAS_*` variables in the environment (they change which kernels OpenBLAS picks).
    var openBLASEnvironment: [String: String]
    /// The vector unit of Perceptron's own elementwise kernels (``VectorUnit/name``).
    var vectorKernels: String?
    var quick: Bool
    var debugBuild: Bool
    var date: String
    /// The 1-minute load average (/proc/loadavg) when the run started and when it ended: other
    /// processes on these few cores slow the 2-thread rows first.
    var loadAverageAtStart: Double?
    var loadAverageAtEnd: Double?

    /// The 1-minute load average, if /proc/loadavg is readable.
    static func loadAverage() -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) else { return nil }
        return text.split(separator: " ").first.flatMap { Double($0) }
    }

    static func current(quick: Bool) -> MachineDescription {
        var env: [String: String] = [:]
        for (k, v) in ProcessInfo.processInfo.environment where k.hasPrefix("OPENBLAS_") { env[k] = v }
        #if DEBUG
        let debug = true
        #else
        let debug = false
        #endif
        return MachineDescription(
            cpu: cpuModel(), logicalCores: ProcessInfo.processInfo.activeProcessorCount,
            openBLASEnvironment: env, vectorKernels: VectorUnit.name,
            quick: quick, debugBuild: debug,
            date: ISO8601DateFormatter().string(from: Date()), loadAverageAtStart: loadAverage())
    }

    /// The `model name` line of /proc/cpuinfo, or "unknown".
    private static func cpuModel() -> String {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return "unknown" }
        for line in text.split(separator: "\n") where line.hasPrefix("model name") {
            if let colon = line.firstIndex(of: ":") {
                return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
        }
        return "unknown"
    }
}

/// One GEMM configuration: `C[m, n] = op(A)·op(B)`.
struct GEMMRow: Codable, Sendable {
    var dtype: String
    var m: Int
    var n: Int
    var k: Int
    var transA: Bool
    var transB: Bool
    var backend: String
    var threads: Int
    /// What the product is: `"square"`, or the training-step role such as `"forward 1"`, `"dW 2"`, `"dX 3"`.
    var role: String
    /// `2·m·n·k / median time`, in GFLOP/s.
    var gflops: Double
    /// GFLOP/s of the slowest and the fastest sample.
    var gflopsMin: Double
    var gflopsMax: Double
    var medianUs: Double
    /// BLAS GFLOP/s over naive GFLOP/s for the same dtype and shape (BLAS rows only).
    var speedupOverNaive: Double?
    /// The batch size of the training step this GEMM belongs to (training-step rows only).
    var batch: Int?
}

/// One training step configuration (forward, backward, Adam update).
struct TrainingStepRow: Codable, Sendable {
    var batch: Int
    var threads: Int
    var backend: String
    var medianMs: Double
    var minMs: Double
    var maxMs: Double
    var samplesPerSecond: Double
    /// The same GEMMs as the step, back to back on preallocated buffers, each one OpenBLAS call
    /// with OpenBLAS's own threads (`BLASBackend(splitsAcrossThreads: false)`).
    var gemmFloorMs: Double
    var gemmFloorMinMs: Double
    var gemmFloorMaxMs: Double
    /// The median over samples of (step time / floor time), the two measured alternately.
    var ratioToGemmFloor: Double
    /// Fastest step over fastest floor sample: the least noise-sensitive estimate on a busy machine.
    var ratioOfMinimums: Double
    var allocationsPerStep: Double
    var allocatedBytesPerStep: Double
    /// Mallocs per step on every thread of the process (Perceptron's helpers included).
    var allocationsPerStepAllThreads: Double
    /// GEMM calls the network made in one step (as recorded through a counting backend).
    var gemmCallsPerStep: Int?
    /// Whether those GEMMs are exactly the floor's (same shapes and flags, as a multiset).
    var gemmCallsMatchFloor: Bool?
    /// `"network"` (the library's network), `"handwritten"` (the benchmark's reference step) or `"normalized"` (the network with batch_norm and dropout).
    var implementation: String
    /// The backend the floor's GEMMs ran on: `"blas"`, or `"naive"` for naive steps.
    var gemmFloorBackend: String
    /// Allocations the floor's GEMM calls alone make (OpenBLAS's own, on the calling thread).
    var gemmFloorAllocationsPerStep: Double
    /// Median ms of the step's parts measured alone (network rows): `"forward+backward"`, `"optimizer"`.
    var partsMs: [String: Double]?
    /// The floor's GEMMs made as the step makes them, through the step's `BLASBackend` (divided
    /// among Perceptron's threads; at 1 thread the same calls as the floor). BLAS rows only.
    var splitGemmFloorMs: Double?
    /// The median over samples of (step time / split floor time): what everything other than
    /// the GEMMs adds to the step.
    var ratioToSplitGemmFloor: Double?
}

/// One inference configuration.
struct InferenceRow: Codable, Sendable {
    var batch: Int
    var backend: String
    var threads: Int
    var medianUs: Double
    var minUs: Double
    var maxUs: Double
    var allocationsPerCall: Double
    /// `"workspace"` (into a prepared workspace) or `"predict"` (allocating convenience call).
    var mode: String
    /// `"network"` or `"handwritten"`.
    var implementation: String
}

/// One epoch of training.
struct EpochRow: Codable, Sendable {
    var backend: String
    var threads: Int
    /// The median over `epochsTimed` consecutive epochs.
    var seconds: Double
    var minSeconds: Double
    var maxSeconds: Double
    var epochsTimed: Int
    /// Mallocs on the calling thread per epoch (BLAS rows; OpenBLAS's own included).
    var allocationsPerEpoch: Double?
    var batch: Int
    var samples: Int
    /// `"fashion-mnist"` or `"synthetic"`.
    var data: String
    /// True when the time is extrapolated from `measuredSteps` of the epoch's steps.
    var extrapolated: Bool
    var measuredSteps: Int
    var totalSteps: Int
    /// `"network"` or `"handwritten"`.
    var implementation: String
}

extension Report {
    /// Writes the report as pretty-printed JSON with sorted keys, atomically (temporary file, rename).
    func write(toFile path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data = try encoder.encode(self)
        try data.write(to: URL(fileURLWithPath: path), options: .atomic)
    }
}
