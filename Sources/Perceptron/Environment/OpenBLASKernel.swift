#if canImport(Glibc)
import Glibc
#endif

/// Makes sure OpenBLAS runs the kernels this CPU deserves, not a fallback.
///
/// OpenBLAS built with `DYNAMIC_ARCH` (Debian's, for one) carries kernels for many CPUs and
/// chooses one set, its "core", when it loads. On a CPU model it does not know it can fall back
/// far: OpenBLAS 0.3.21 runs the SSE3 `Prescott` kernels on Intel Emerald Rapids (AVX-512 and
/// AMX), about 4× slower (fixed in 0.3.25). `OPENBLAS_CORETYPE` chooses by hand, but OpenBLAS
/// reads it once, at load, before any Swift code runs.
///
/// ``useBestAvailableCore()`` therefore switches in-process. A core is a fallback when its
/// kernels are below AVX2+FMA (SSE- or AVX-only: `Prescott`, `Nehalem`, `Sandybridge`, …) on a
/// CPU with AVX2+FMA or AVX-512; `Haswell` or `Zen` on an AVX-512 CPU is OpenBLAS's deliberate
/// choice and stays. For a fallback it makes OpenBLAS choose again with `OPENBLAS_CORETYPE` set
/// to the best core for the CPU (`SkylakeX` for AVX-512, `Haswell` or `Zen` for AVX2), through
/// `gotoblas_dynamic_quit` and `gotoblas_dynamic_init`, and reads `openblas_get_corename` to
/// confirm. In-process rather than by re-executing with the variable set, so
/// that every program using the library gets the fix, not only the `perceptron` tool. Those
/// two functions are exported but undocumented; with 0.3.21 the switched core computes exactly
/// what the same core chosen at load computes, and the tests check that. A user's own
/// `OPENBLAS_CORETYPE` is always respected.
///
/// Creating a ``BLASBackend`` calls it; a program that calls OpenBLAS or LAPACK otherwise
/// (``Matrix/leastSquares(_:)``, say) before creating one can call it first itself.
public enum OpenBLASKernel {
    /// For tests only: makes ``useBestAvailableCore()`` act as if OpenBLAS had chosen this core
    /// at load (it switches to it first), so that the fallback path can be exercised on any
    /// x86-64 machine: `PERCEPTRON_SIMULATE_OPENBLAS_CORE=Prescott perceptron info`.
    package static let simulatedCoreVariable = "PERCEPTRON_SIMULATE_OPENBLAS_CORE"

    /// Judges OpenBLAS's choice of kernels and switches to the best available core if it fell
    /// back; returns what it found and did. The work happens once per process, on the first
    /// call (later calls return the same record at the cost of a load); thread-safe.
    ///
    /// Must run before any thread is inside OpenBLAS: a switch replaces the kernels under it.
    /// Creating a ``BLASBackend`` calls it, so a program needs to call it only when it calls
    /// OpenBLAS (directly, or through LAPACK) before creating one. Does nothing when the
    /// user set `OPENBLAS_CORETYPE`, when the core suits the CPU, and without the `OpenBLAS`
    /// trait.
    @discardableResult
    public static func useBestAvailableCore() -> OpenBLASCoreSelection {
        selection
    }

    /// The record of the one selection made in this process.
    private static let selection: OpenBLASCoreSelection = select(cpu: .current)

    private static func select(cpu: CPUFeatures) -> OpenBLASCoreSelection {
        guard var chosen = BLAS.coreName, let configurationText = BLAS.configuration else {
            return OpenBLASCoreSelection(
                chosenAtLoad: "", inUse: "", outcome: .unavailable, isFallback: false,
                reason: "this build has no OpenBLAS", notice: nil)
        }
        if let simulated = getenv(simulatedCoreVariable).map({ String(cString: $0) }), !simulated.isEmpty,
            let reloaded = BLAS.reloadKernels(core: simulated)
        {
            chosen = reloaded
        }
        let configuration = OpenBLASConfiguration(configurationText)
        let setting = BLAS.coreTypeSetting
        let decision = OpenBLASCoreDecision.decide(
            cpu: cpu, core: chosen, coreTypeSetting: setting, configuration: configuration)
        var record = OpenBLASCoreSelection(
            chosenAtLoad: chosen, inUse: chosen, outcome: .kept, isFallback: decision.coreIsFallback,
            reason: decision.reason, notice: nil)
        let onCPU = "on a CPU with \(cpu.level)"

        switch decision.action {
        case .keep:
            // A fallback the user asked for through OPENBLAS_CORETYPE is kept without a word on
            // stderr (it is their choice; `perceptron info` and `verify` still say it).
            break
        case .cannotSwitch:
            record.outcome = .cannotSwitch
            record.notice = decision.reason
        case .switchCore(let candidates):
            for candidate in candidates {
                guard let now = BLAS.reloadKernels(core: candidate) else {
                    record.outcome = .switchFailed
                    record.reason += "; this OpenBLAS does not export gotoblas_dynamic_quit/init to switch"
                    record.notice =
                        "OpenBLAS chose \(chosen) \(onCPU) and cannot switch in-process; "
                        + "set OPENBLAS_CORETYPE=\(candidate) before starting"
                    return record
                }
                record.inUse = now
                if now.lowercased() == candidate.lowercased() {
                    record.outcome = .switched
                    record.isFallback =
                        OpenBLASCoreDecision.decide(
                            cpu: cpu, core: now, coreTypeSetting: nil, configuration: configuration
                        ).coreIsFallback
                    record.reason += "; switched to \(now)"
                    record.notice = "OpenBLAS chose \(chosen) \(onCPU); using \(now) (set OPENBLAS_CORETYPE to choose yourself)"
                    return record
                }
            }
            // None accepted: back to what OpenBLAS had chosen.
            record.inUse = BLAS.reloadKernels(core: chosen) ?? record.inUse
            record.outcome = .switchFailed
            record.reason += "; OpenBLAS accepted none of " + candidates.joined(separator: ", ")
            record.notice = "OpenBLAS chose \(chosen) \(onCPU) and accepted none of " + candidates.joined(separator: ", ")
        }
        return record
    }
}
