#if OpenBLAS
import CLAPACKE
#endif

/// The only file that calls LAPACKE. Swift types in, Swift types out: the `s` or `d` routine
/// is chosen from `T.precision`, every call is row-major (`LAPACK_ROW_MAJOR`), sizes become
/// `Int32`, and a nonzero `info` becomes a thrown ``LAPACKError``.
///
/// LAPACKE's row-major entry points transpose into a column-major copy and back; that is fine
/// for the init-time work they do here (orthogonal initialisation, least squares).
///
/// Without the `OpenBLAS` trait every entry point is unreachable: callers check
/// ``LAPACK/isAvailable`` and use ``HouseholderQR`` instead.
enum LAPACK {
    /// Whether the package was built with the `OpenBLAS` trait (which brings LAPACKE).
    #if OpenBLAS
    static let isAvailable = true
    #else
    static let isAvailable = false
    #endif

    /// The QR factorisation `A = Q·R` of the row-major `m × n` matrix `a`; calls `LAPACKE_?geqrf`.
    ///
    /// On return `R` is in the upper triangle of `a` and the Householder reflectors defining `Q`
    /// are below it, with their scalar factors in `tau` (`min(m, n)` elements).
    static func geqrf<T: Scalar>(
        m: Int, n: Int, a: UnsafeMutableBufferPointer<T>, lda: Int, tau: UnsafeMutableBufferPointer<T>
    ) throws(LAPACKError) {
        let routine = name("geqrf", T.self)
        let arguments = ["matrix_layout", "m", "n", "A", "lda", "tau"]
        #if OpenBLAS
        let (m32, n32, lda32) = try int32(m, n, lda, routine: routine, argumentIndices: [2, 3, 5], names: arguments)
        let info: Int32 =
            switch T.precision {
            case .float32: LAPACKE_sgeqrf(LAPACK_ROW_MAJOR, m32, n32, float(a), lda32, float(tau))
            case .float64: LAPACKE_dgeqrf(LAPACK_ROW_MAJOR, m32, n32, double(a), lda32, double(tau))
            }
        try check(info, routine: routine, argumentNames: arguments)
        #else
        preconditionFailure("LAPACK.\(routine) called in a build without the OpenBLAS trait")
        #endif
    }

    /// Overwrites the output of ``geqrf(m:n:a:lda:tau:)`` with the first `n` columns of `Q`
    /// (`m ≥ n ≥ k`, `k` reflectors); calls `LAPACKE_?orgqr`.
    static func orgqr<T: Scalar>(
        m: Int, n: Int, k: Int, a: UnsafeMutableBufferPointer<T>, lda: Int, tau: UnsafeBufferPointer<T>
    ) throws(LAPACKError) {
        let routine = name("orgqr", T.self)
        let arguments = ["matrix_layout", "m", "n", "k", "A", "lda", "tau"]
        #if OpenBLAS
        let (m32, n32, lda32) = try int32(m, n, lda, routine: routine, argumentIndices: [2, 3, 6], names: arguments)
        guard let k32 = Int32(exactly: k) else {
            throw .illegalArgument(routine: routine, info: -4, argumentNames: arguments)
        }
        let info: Int32 =
            switch T.precision {
            case .float32: LAPACKE_sorgqr(LAPACK_ROW_MAJOR, m32, n32, k32, float(a), lda32, float(tau))
            case .float64: LAPACKE_dorgqr(LAPACK_ROW_MAJOR, m32, n32, k32, double(a), lda32, double(tau))
            }
        try check(info, routine: routine, argumentNames: arguments)
        #else
        preconditionFailure("LAPACK.\(routine) called in a build without the OpenBLAS trait")
        #endif
    }

    /// Solves `min ‖A·X − B‖₂` (`m ≥ n`) or the minimum-norm `A·X = B` (`m < n`) for full-rank
    /// `A` (`m × n`); calls `LAPACKE_?gels` with `trans = 'N'`.
    ///
    /// `b` holds `B` (`m × nrhs`) in its first `m` rows on entry and `X` (`n × nrhs`) in its first
    /// `n` rows on return, so it needs `max(m, n)` rows of `ldb ≥ nrhs`. `a` is overwritten.
    /// - Throws: ``LAPACKError`` with `info = i > 0` when `R[i−1, i−1]` is zero (rank-deficient `A`).
    static func gels<T: Scalar>(
        m: Int, n: Int, nrhs: Int, a: UnsafeMutableBufferPointer<T>, lda: Int,
        b: UnsafeMutableBufferPointer<T>, ldb: Int
    ) throws(LAPACKError) {
        let routine = name("gels", T.self)
        let arguments = gelsArgumentNames
        #if OpenBLAS
        let (m32, n32, nrhs32) = try int32(m, n, nrhs, routine: routine, argumentIndices: [3, 4, 5], names: arguments)
        guard let lda32 = Int32(exactly: lda) else {
            throw .illegalArgument(routine: routine, info: -7, argumentNames: arguments)
        }
        guard let ldb32 = Int32(exactly: ldb) else {
            throw .illegalArgument(routine: routine, info: -9, argumentNames: arguments)
        }
        let trans = CChar(UInt8(ascii: "N"))
        let info: Int32 =
            switch T.precision {
            case .float32: LAPACKE_sgels(LAPACK_ROW_MAJOR, trans, m32, n32, nrhs32, float(a), lda32, float(b), ldb32)
            case .float64: LAPACKE_dgels(LAPACK_ROW_MAJOR, trans, m32, n32, nrhs32, double(a), lda32, double(b), ldb32)
            }
        if info > 0 { throw .rankDeficient(routine: routine, info: Int(info)) }
        try check(info, routine: routine, argumentNames: arguments)
        #else
        preconditionFailure("LAPACK.\(routine) called in a build without the OpenBLAS trait")
        #endif
    }

    /// The arguments of `LAPACKE_?gels`, in order, for error messages.
    static let gelsArgumentNames = ["matrix_layout", "trans", "m", "n", "nrhs", "A", "lda", "B", "ldb"]

    /// `"sgels"` or `"dgels"` for `base` `"gels"`.
    static func name<T: Scalar>(_ base: String, _: T.Type) -> String {
        (T.precision == .float32 ? "s" : "d") + base
    }

    #if OpenBLAS
    /// Turns a nonzero `info` into a ``LAPACKError``.
    private static func check(_ info: Int32, routine: String, argumentNames: [String]) throws(LAPACKError) {
        switch info {
        case 0: return
        case LAPACK_WORK_MEMORY_ERROR, LAPACK_TRANSPOSE_MEMORY_ERROR:
            throw .outOfMemory(routine: routine, info: Int(info))
        case ..<0:
            throw .illegalArgument(routine: routine, info: Int(info), argumentNames: argumentNames)
        default:
            throw LAPACKError(routine: routine, info: Int(info), meaning: "numerical failure at step \(info)")
        }
    }

    /// Three sizes as `lapack_int`; a size that does not fit is an illegal argument.
    private static func int32(
        _ x: Int, _ y: Int, _ z: Int, routine: String, argumentIndices: [Int], names: [String]
    ) throws(LAPACKError) -> (Int32, Int32, Int32) {
        for (value, index) in zip([x, y, z], argumentIndices) where Int32(exactly: value) == nil {
            throw .illegalArgument(routine: routine, info: -index, argumentNames: names)
        }
        return (Int32(x), Int32(y), Int32(z))
    }

    // Pointer reinterpretation: T is Float (or Double) whenever these are called, as checked
    // by the `switch T.precision` at each call site.
    private static func float<T>(_ p: UnsafeMutableBufferPointer<T>) -> UnsafeMutablePointer<Float>? {
        UnsafeMutableRawPointer(p.baseAddress)?.assumingMemoryBound(to: Float.self)
    }
    private static func float<T>(_ p: UnsafeBufferPointer<T>) -> UnsafePointer<Float>? {
        UnsafeRawPointer(p.baseAddress)?.assumingMemoryBound(to: Float.self)
    }
    private static func double<T>(_ p: UnsafeMutableBufferPointer<T>) -> UnsafeMutablePointer<Double>? {
        UnsafeMutableRawPointer(p.baseAddress)?.assumingMemoryBound(to: Double.self)
    }
    private static func double<T>(_ p: UnsafeBufferPointer<T>) -> UnsafePointer<Double>? {
        UnsafeRawPointer(p.baseAddress)?.assumingMemoryBound(to: Double.self)
    }
    #endif
}
