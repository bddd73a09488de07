import CKernels

#if canImport(Glibc)
import Glibc
#endif

/// The only file that calls CKernels: elementwise loops compiled for AVX2 and AVX-512 and
/// chosen at run time, bit-identical to the portable Swift loops they replace (same operations
/// in the same order, no FMA contraction).
///
/// Swift code in a package that others depend on is built for the baseline instruction set
/// (SSE2 on x86-64) because a dependency cannot pass `-target-cpu`; these C functions carry
/// per-function `target` attributes instead. Setting the environment variable
/// `PERCEPTRON_PORTABLE_KERNELS=1` turns them off (for measurements and comparisons).
enum VectorKernels {
    /// The vector width in use: 512 (AVX-512), 256 (AVX2) or 0 (the portable Swift loops run);
    /// calls `ckernels_vector_bits` once, then honours `PERCEPTRON_PORTABLE_KERNELS`.
    static let vectorBits: Int = {
        if let flag = getenv("PERCEPTRON_PORTABLE_KERNELS"), String(cString: flag) != "0" { return 0 }
        return Int(ckernels_vector_bits())
    }()

    /// The CPU's spin-wait hint (`pause`), for polling loops; calls `ckernels_spin_wait_hint`.
    @inline(__always)
    static func spinWaitHint() {
        ckernels_spin_wait_hint()
    }

    /// The Adam update of `Adam.loop` over `n` elements. Calls `ckernels_adam_f32` or
    /// `ckernels_adam_f64`; returns false (and does nothing) when there is no accelerated
    /// variant, and the caller runs its portable loop. With `streaming`, `p` is written with
    /// non-temporal stores (same values).
    @inline(__always)
    static func adam<T: Scalar>(
        _ p: UnsafeMutablePointer<T>, _ g: UnsafePointer<T>, _ m: UnsafeMutablePointer<T>,
        _ v: UnsafeMutablePointer<T>, _ n: Int, _ w1: T, _ b2: T, _ w2: T, _ stepSize: T,
        _ inverseCorrection2Root: T, _ eps: T, decays: Bool, _ shrink: T, _ l2: T, streaming: Bool = false
    ) -> Bool {
        if vectorBits == 0 { return false }
        let decaysFlag: Int32 = decays ? 1 : 0
        let streamFlag: Int32 = streaming ? 1 : 0
        switch T.precision {
        case .float32:
            return ckernels_adam_f32(
                rebound(p), rebound(g), rebound(m), rebound(v), n, Float(w1), Float(b2), Float(w2),
                Float(stepSize), Float(inverseCorrection2Root), Float(eps), decaysFlag, Float(shrink),
                Float(l2), streamFlag) != 0
        case .float64:
            return ckernels_adam_f64(
                rebound(p), rebound(g), rebound(m), rebound(v), n, Double(w1), Double(b2), Double(w2),
                Double(stepSize), Double(inverseCorrection2Root), Double(eps), decaysFlag,
                Double(shrink), Double(l2), streamFlag) != 0
        }
    }

    /// The CPU's vendor, display family and model, and the vector extensions it has with OS
    /// support; calls `ckernels_cpu_info_read` (zeros and an empty vendor off x86).
    static func cpuFeatures() -> CPUFeatures {
        var info = ckernels_cpu_info()
        ckernels_cpu_info_read(&info)
        let vendor = withUnsafeBytes(of: info.vendor) { bytes in
            String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
        }
        let flags: [(Int32, CPUFeatures.Extensions)] = [
            (info.sse3, .sse3), (info.avx, .avx), (info.avx2, .avx2), (info.fma, .fma),
            (info.avx512f, .avx512F), (info.avx512bw, .avx512BW), (info.avx512dq, .avx512DQ),
            (info.avx512vl, .avx512VL), (info.avx512_bf16, .avx512BF16), (info.amx_tile, .amxTile),
            (info.amx_bf16, .amxBF16), (info.amx_int8, .amxInt8),
        ]
        return CPUFeatures(
            vendor: vendor, family: Int(info.family), model: Int(info.model),
            extensions: CPUFeatures.Extensions(flags.filter { $0.0 != 0 }.map(\.1)))
    }

    // Pointer reinterpretation: T is Float (or Double) whenever these are called, as checked
    // by the `switch T.precision` at the call site.
    @inline(__always)
    private static func rebound<T, U>(_ p: UnsafeMutablePointer<T>) -> UnsafeMutablePointer<U> {
        UnsafeMutableRawPointer(p).assumingMemoryBound(to: U.self)
    }
    @inline(__always)
    private static func rebound<T, U>(_ p: UnsafePointer<T>) -> UnsafePointer<U> {
        UnsafeRawPointer(p).assumingMemoryBound(to: U.self)
    }
}
