/// What ``OpenBLASKernel/useBestAvailableCore()`` found and did: the kernel set ("core")
/// OpenBLAS chose when it loaded, the one in use after, and why.
public struct OpenBLASCoreSelection: Sendable, Equatable, Codable {
    /// What happened.
    public enum Outcome: String, Sendable, Codable {
        /// OpenBLAS's choice suits the CPU, is the user's (`OPENBLAS_CORETYPE`), or is not judged.
        case kept
        /// OpenBLAS had fallen back to a core below the CPU; now a better one is in use.
        case switched
        /// OpenBLAS had fallen back and could not be switched: it lacks the functions to
        /// choose again, or accepted none of the cores asked for.
        case switchFailed
        /// OpenBLAS had fallen back and has no other kernels (built without `DYNAMIC_ARCH`).
        case cannotSwitch
        /// This build has no OpenBLAS (the `OpenBLAS` trait is off).
        case unavailable

        /// `"kept"`, `"switched"`, `"switch failed"`, `"cannot switch"`, `"unavailable"`.
        public var words: String {
            switch self {
            case .kept: "kept"
            case .switched: "switched"
            case .switchFailed: "switch failed"
            case .cannotSwitch: "cannot switch"
            case .unavailable: "unavailable"
            }
        }
    }

    /// The core OpenBLAS chose when it loaded (`openblas_get_corename`), e.g. `"Prescott"`;
    /// empty without OpenBLAS.
    public var chosenAtLoad: String
    /// The core in use now, e.g. `"SkylakeX"`.
    public var inUse: String
    /// What happened.
    public var outcome: Outcome
    /// Whether the core in use is still a fallback on this CPU: below AVX2+FMA on a CPU that has
    /// them (also when the user set it with `OPENBLAS_CORETYPE`).
    public var isFallback: Bool
    /// Why, in one line.
    public var reason: String
    /// The one line worth saying once, on stderr, when something was switched or is still wrong
    /// (`"OpenBLAS chose Prescott on a CPU with AVX-512; using SkylakeX (set OPENBLAS_CORETYPE
    /// to choose yourself)"`); `nil` when all is as it should be.
    public var notice: String?
}
