/// The fast backend: every operation is one OpenBLAS call.
///
/// Available when the package is built with the `OpenBLAS` trait (the default); otherwise
/// ``init()`` throws ``BackendUnavailableError``.
public struct BLASBackend: Backend {
    /// `"blas"`.
    public var name: String { "blas" }

    /// Whether this build links OpenBLAS (the `OpenBLAS` trait).
    public static var isAvailable: Bool { BLAS.isAvailable }

    /// The BLAS backend.
    /// - Throws: ``BackendUnavailableError`` when the package was built without the `OpenBLAS` trait.
    public init() throws(BackendUnavailableError) {
        guard BLAS.isAvailable else { throw BackendUnavailableError(backend: "blas") }
    }

    /// The number of threads OpenBLAS uses. Process-wide; calls `openblas_get_num_threads`.
    public static var threadCount: Int { BLAS.threadCount }

    /// Sets the process-wide OpenBLAS thread count (at least 1); calls `openblas_set_num_threads`.
    public static func setThreadCount(_ count: Int) {
        BLAS.setThreadCount(max(1, count))
    }

    /// Calls `cblas_?gemm`. Zero-sized products return early; leading dimensions are clamped
    /// to at least 1 as BLAS requires of empty operands.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func gemm<T: Scalar>(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: T, a: UnsafeBufferPointer<T>, lda: Int,
        b: UnsafeBufferPointer<T>, ldb: Int,
        beta: T, c: UnsafeMutableBufferPointer<T>, ldc: Int
    ) {
        if m == 0 || n == 0 { return }
        BLAS.gemm(
            transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
            alpha: alpha, a: a, lda: max(1, lda), b: b, ldb: max(1, ldb),
            beta: beta, c: c, ldc: max(1, ldc))
    }

    /// Calls `cblas_?gemv`.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func gemv<T: Scalar>(
        transposeA: Bool, m: Int, n: Int,
        alpha: T, a: UnsafeBufferPointer<T>, lda: Int,
        x: UnsafeBufferPointer<T>, beta: T, y: UnsafeMutableBufferPointer<T>
    ) {
        if y.isEmpty { return }
        if (transposeA ? m : n) == 0 {
            // op(A)·x is an empty sum: y ← β·y, with β = 0 not reading y.
            if beta == 0 { y.update(repeating: 0) } else { BLAS.scal(alpha: beta, x: y) }
            return
        }
        BLAS.gemv(
            transposeA: transposeA, m: m, n: n, alpha: alpha, a: a, lda: max(1, lda),
            x: x, beta: beta, y: y)
    }

    /// Calls `cblas_?axpy`.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func axpy<T: Scalar>(alpha: T, x: UnsafeBufferPointer<T>, y: UnsafeMutableBufferPointer<T>) {
        if x.isEmpty { return }
        BLAS.axpy(alpha: alpha, x: x, y: y)
    }

    /// Calls `cblas_?scal`.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func scale<T: Scalar>(by alpha: T, x: UnsafeMutableBufferPointer<T>) {
        if x.isEmpty { return }
        BLAS.scal(alpha: alpha, x: x)
    }

    /// Calls `cblas_?dot`.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func dot<T: Scalar>(_ x: UnsafeBufferPointer<T>, _ y: UnsafeBufferPointer<T>) -> T {
        if x.isEmpty { return 0 }
        return BLAS.dot(x, y)
    }
}

/// A backend was requested that this build does not contain.
public struct BackendUnavailableError: Error, Sendable, CustomStringConvertible {
    /// The backend's name, e.g. `"blas"`.
    public var backend: String

    /// One line naming the backend and the trait it needs.
    public var description: String {
        "the \(backend) backend is not in this build: enable the package trait OpenBLAS (and install libopenblas-dev)"
    }
}

/// The backend a network uses when none is named: ``BLASBackend`` when this build has
/// OpenBLAS, ``NaiveBackend`` otherwise.
public func defaultBackend() -> any Backend {
    if let blas = try? BLASBackend() { return blas }
    return NaiveBackend()
}
