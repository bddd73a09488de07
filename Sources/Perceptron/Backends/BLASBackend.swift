/// The fast backend: every operation is one OpenBLAS call, except that with 2 threads a large
/// ?gemm or ?gemv is computed as two blocks of its output on two threads (see
/// ``splitsAcrossThreads``).
///
/// Available when the package is built with the `OpenBLAS` trait (the default); otherwise
/// ``init(splitsAcrossThreads:)`` throws ``BackendUnavailableError``.
public struct BLASBackend: Backend {
    /// `"blas"`.
    public var name: String { "blas" }

    /// With ``threadCount`` 2, whether Perceptron does the threading (default true): OpenBLAS
    /// runs single-threaded calls, and a ?gemm of at least 32 rows and 262,144 multiply-adds
    /// (or a ?gemv of at least 65,536 elements) is computed as two blocks of its output, one on
    /// the calling thread and one on Perceptron's helper thread. On the GEMMs of a
    /// 784-256-128-10 training step this takes 0.66–1.00 of the time of OpenBLAS's own 2-thread
    /// calls, and allocates nothing (OpenBLAS's threaded `sgemm` mallocs a job buffer per
    /// call). False leaves threading to OpenBLAS, as does any thread count other than 2. Either
    /// way the result does not depend on timing.
    public var splitsAcrossThreads: Bool

    /// Whether this build links OpenBLAS (the `OpenBLAS` trait).
    public static var isAvailable: Bool { BLAS.isAvailable }

    /// The BLAS backend.
    /// - Parameter splitsAcrossThreads: see ``splitsAcrossThreads``.
    /// - Throws: ``BackendUnavailableError`` when the package was built without the `OpenBLAS` trait.
    public init(splitsAcrossThreads: Bool = true) throws(BackendUnavailableError) {
        guard BLAS.isAvailable else { throw BackendUnavailableError(backend: "blas") }
        self.splitsAcrossThreads = splitsAcrossThreads
    }

    /// The number of threads BLAS work uses. Process-wide; at first OpenBLAS's own count
    /// (`openblas_get_num_threads`, e.g. from `OPENBLAS_NUM_THREADS`).
    public static var threadCount: Int { BLAS.threadCount }

    /// Sets the process-wide thread count (at least 1); calls `openblas_set_num_threads`. Set it
    /// between steps: a split call running meanwhile finishes with OpenBLAS single-threaded.
    public static func setThreadCount(_ count: Int) {
        BLAS.setThreadCount(max(1, count))
    }

    /// The helper thread, when this backend does the threading itself (see
    /// ``splitsAcrossThreads``).
    private var splitHelper: HelperThread? {
        guard splitsAcrossThreads, BLAS.threadCount == 2 else { return nil }
        return HelperThread.shared
    }

    /// Calls `cblas_?gemm`, or twice on two threads for a large product at 2 threads (see
    /// ``splitsAcrossThreads``). Zero-sized products return early; leading dimensions are
    /// clamped to at least 1 as BLAS requires of empty operands.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func gemm<T: Scalar>(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: T, a: UnsafeBufferPointer<T>, lda: Int,
        b: UnsafeBufferPointer<T>, ldb: Int,
        beta: T, c: UnsafeMutableBufferPointer<T>, ldc: Int
    ) {
        product(
            transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b,
            ldb: ldb, beta: beta, c: c, ldc: ldc, epilogue: nil)
    }

    /// The product as ``gemm(transposeA:transposeB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:)``
    /// makes it, then the epilogue; a split product applies it to each block of rows on the
    /// thread that computed the block, right after it.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func gemm<T: Scalar>(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: T, a: UnsafeBufferPointer<T>, lda: Int,
        b: UnsafeBufferPointer<T>, ldb: Int,
        beta: T, c: UnsafeMutableBufferPointer<T>, epilogue: GEMMEpilogue<T>
    ) {
        withUnsafePointer(to: epilogue) { epilogue in
            product(
                transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
                b: b, ldb: ldb, beta: beta, c: c, ldc: n, epilogue: epilogue)
        }
    }

    /// Both ?gemm entry points: one OpenBLAS call then the epilogue (if any) on all rows, or,
    /// when this backend splits, two row blocks each followed by the epilogue on its rows.
    @inline(__always)
    private func product<T: Scalar>(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: T, a: UnsafeBufferPointer<T>, lda: Int,
        b: UnsafeBufferPointer<T>, ldb: Int,
        beta: T, c: UnsafeMutableBufferPointer<T>, ldc: Int, epilogue: UnsafePointer<GEMMEpilogue<T>>?
    ) {
        if m == 0 || n == 0 { return }
        let (lda, ldb, ldc) = (max(1, lda), max(1, ldb), max(1, ldc))
        func whole() {
            BLAS.gemm(
                transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
            epilogue?.pointee.apply(to: c, first: 0, count: m, columns: n)
        }
        guard let helper = splitHelper else { return whole() }
        BLAS.withOpenBLASSingleThreaded {
            if RowSplitGEMM.isWorthSplitting(m: m, n: n, k: k) {
                RowSplitGEMM.run(
                    transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                    alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc, helper: helper,
                    epilogue: epilogue)
            } else {
                whole()
            }
        }
    }

    /// Calls `cblas_?gemv`, or twice on two threads for a large product at 2 threads (see
    /// ``splitsAcrossThreads``).
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
            if beta == 0 { y.update(repeating: 0) } else { level1 { BLAS.scal(alpha: beta, x: y) } }
            return
        }
        let lda = max(1, lda)
        func whole() { BLAS.gemv(transposeA: transposeA, m: m, n: n, alpha: alpha, a: a, lda: lda, x: x, beta: beta, y: y) }
        guard let helper = splitHelper else { return whole() }
        BLAS.withOpenBLASSingleThreaded {
            if SplitGEMV.isWorthSplitting(transposeA: transposeA, m: m, n: n) {
                SplitGEMV.run(
                    transposeA: transposeA, m: m, n: n, alpha: alpha, a: a, lda: lda, x: x, beta: beta, y: y,
                    helper: helper)
            } else {
                whole()
            }
        }
    }

    /// Runs a level-1 call single-threaded in OpenBLAS when this backend does the threading
    /// (see ``splitsAcrossThreads``), so that OpenBLAS's own threads stay asleep.
    @inline(__always)
    private func level1<R>(_ call: () -> R) -> R {
        splitHelper == nil ? call() : BLAS.withOpenBLASSingleThreaded(call)
    }

    /// Calls `cblas_?axpy`.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func axpy<T: Scalar>(alpha: T, x: UnsafeBufferPointer<T>, y: UnsafeMutableBufferPointer<T>) {
        if x.isEmpty { return }
        level1 { BLAS.axpy(alpha: alpha, x: x, y: y) }
    }

    /// Calls `cblas_?scal`.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func scale<T: Scalar>(by alpha: T, x: UnsafeMutableBufferPointer<T>) {
        if x.isEmpty { return }
        level1 { BLAS.scal(alpha: alpha, x: x) }
    }

    /// Calls `cblas_?dot`.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func dot<T: Scalar>(_ x: UnsafeBufferPointer<T>, _ y: UnsafeBufferPointer<T>) -> T {
        if x.isEmpty { return 0 }
        return level1 { BLAS.dot(x, y) }
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
