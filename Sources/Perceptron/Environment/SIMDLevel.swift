/// How much of a CPU's vector hardware a matrix kernel uses, in the steps that matter for
/// ?gemm: the widest registers and whether it has fused multiply-add.
///
/// Used two ways: the level a CPU supports (``CPUFeatures/level``) and the level an OpenBLAS
/// kernel set is written for (``OpenBLASCore/level(of:)``); a kernel below what the CPU
/// supports leaves speed unused.
package enum SIMDLevel: Int, Comparable, Sendable, CustomStringConvertible {
    /// SSE up to SSE4.2: 128-bit registers, no FMA.
    case sse
    /// AVX: 256-bit registers without AVX2 and FMA3 (Sandy Bridge, AMD's Bulldozer family).
    case avx
    /// AVX2 with FMA3 (Haswell and later, AMD Zen).
    case avx2
    /// AVX-512 F, BW, DQ and VL together: what OpenBLAS's SkylakeX kernels need.
    case avx512

    package static func < (a: SIMDLevel, b: SIMDLevel) -> Bool { a.rawValue < b.rawValue }

    /// `"SSE"`, `"AVX"`, `"AVX2+FMA"` or `"AVX-512"`.
    package var description: String {
        switch self {
        case .sse: "SSE"
        case .avx: "AVX"
        case .avx2: "AVX2+FMA"
        case .avx512: "AVX-512"
        }
    }
}
