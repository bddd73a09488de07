/// Which kernels do the arithmetic in this process: the OpenBLAS build and core, its threads,
/// the CPU, and Perceptron's own vector unit. See ``BLASBackend/environment``.
///
/// `description` is a few lines for people (what `perceptron info` prints); the `Codable`
/// form, with the property names as keys, is what `perceptron-bench` records.
public struct BLASEnvironment: Sendable, Equatable, Codable, CustomStringConvertible {
    /// OpenBLAS's description of its build (`openblas_get_config`), e.g. `"OpenBLAS 0.3.21
    /// NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY Cooperlake MAX_THREADS=64"`; `nil` without OpenBLAS.
    public var openBLASConfiguration: String?
    /// The version from that description, e.g. `"0.3.21"`.
    public var openBLASVersion: String?
    /// The kernel set in use now (`openblas_get_corename`), e.g. `"SkylakeX"`.
    public var openBLASCore: String?
    /// How OpenBLAS runs threads (`openblas_get_parallel`): 0 sequential, 1 pthreads, 2 OpenMP.
    public var openBLASParallelMode: Int?
    /// The threads OpenBLAS runs now (`openblas_get_num_threads`): 1 once Perceptron has done
    /// the threading of a product itself.
    public var openBLASThreadCount: Int
    /// The thread count a ``BLASBackend`` made without one gets (``BLASBackend/threadCount``):
    /// Perceptron divides each large product among that many threads of its own.
    public var perceptronThreadCount: Int
    /// The user's `OPENBLAS_CORETYPE`, or `nil` when unset.
    public var coreTypeSetting: String?
    /// What ``OpenBLASKernel/useBestAvailableCore()`` found and did.
    public var coreSelection: OpenBLASCoreSelection
    /// The CPU.
    public var cpu: CPUFeatures
    /// The vector unit of Perceptron's own elementwise kernels (``VectorUnit/name``).
    public var vectorUnit: String

    /// `"sequential"`, `"pthreads"`, `"OpenMP"`, or `nil` when unknown.
    public var openBLASParallelModeName: String? {
        switch openBLASParallelMode {
        case 0: "sequential"
        case 1: "pthreads"
        case 2: "OpenMP"
        default: nil
        }
    }

    /// The environment of this process, after ``OpenBLASKernel/useBestAvailableCore()``.
    static func current() -> BLASEnvironment {
        let selection = OpenBLASKernel.useBestAvailableCore()
        let configuration = BLAS.configuration
        return BLASEnvironment(
            openBLASConfiguration: configuration,
            openBLASVersion: configuration.flatMap { OpenBLASConfiguration($0).versionString },
            openBLASCore: BLAS.coreName, openBLASParallelMode: BLAS.parallelMode,
            openBLASThreadCount: BLAS.openBLASThreadCount, perceptronThreadCount: BLAS.threadCount,
            coreTypeSetting: BLAS.coreTypeSetting,
            coreSelection: selection, cpu: .current, vectorUnit: VectorUnit.name)
    }

    /// Lines such as:
    ///
    ///     OpenBLAS: 0.3.21 (OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY Cooperlake MAX_THREADS=64)
    ///     OpenBLAS core: Cooperlake
    ///     OpenBLAS core decision: kept: Cooperlake (AVX-512 kernels) on a CPU with AVX-512 suits it
    ///     OpenBLAS threads: 2 (pthreads)
    ///     Perceptron threads: 2 (…)
    ///     CPU: AuthenticAMD family 25 model 17: SSE3 AVX AVX2 FMA AVX-512F AVX-512BW …
    ///     Perceptron's elementwise kernels: AVX-512
    public var description: String {
        var lines: [String] = []
        if let configuration = openBLASConfiguration, let core = openBLASCore {
            lines.append("OpenBLAS: \(openBLASVersion ?? "version unknown") (\(configuration))")
            let atLoad = coreSelection.chosenAtLoad
            lines.append(
                "OpenBLAS core: \(core)"
                    + (atLoad.isEmpty || atLoad == core ? "" : " (OpenBLAS chose \(atLoad) at load)"))
            lines.append("OpenBLAS core decision: \(coreSelection.outcome.words): \(coreSelection.reason)")
            lines.append(
                "OpenBLAS threads: \(openBLASThreadCount)" + (openBLASParallelModeName.map { " (\($0))" } ?? ""))
            lines.append(
                "Perceptron threads: \(perceptronThreadCount) (a BLASBackend's default: large products divided "
                    + "among Perceptron's threads, each block a single-threaded OpenBLAS call)")
        } else {
            lines.append("OpenBLAS: not in this build (the OpenBLAS trait is off)")
        }
        let extensions = cpu.extensions.names
        lines.append(
            "CPU: \(cpu.identification): "
                + (extensions.isEmpty ? "no vector extensions known" : extensions.joined(separator: " ")))
        lines.append("Perceptron's elementwise kernels: \(vectorUnit)")
        return lines.joined(separator: "\n")
    }
}
