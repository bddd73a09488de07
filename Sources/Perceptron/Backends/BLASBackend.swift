/// The fast backend: every product is OpenBLAS, threaded by Perceptron.
///
/// With ``threads`` greater than 1 (and ``splitsAcrossThreads``, the default), OpenBLAS runs
/// single-threaded calls and Perceptron divides each large ?gemm or ?gemv into blocks of its
/// output (`ProductPartition`: rows first, then columns; few and large), one single-threaded
/// OpenBLAS call per block on `ThreadPool`'s threads, with the product's epilogue applied to
/// each block by the thread that computed it. Nothing is allocated per call at any thread
/// count (OpenBLAS's threaded `sgemm` mallocs a job buffer per call), and the result does not
/// depend on timing: each block is the same call whichever thread runs it.
///
/// The thread count is fixed when the backend is made. Available when the package is built with
/// the `OpenBLAS` trait (the default); otherwise ``init(threads:splitsAcrossThreads:)`` throws
/// ``BackendUnavailableError``.
public struct BLASBackend: Backend {
    /// `"blas"`.
    public var name: String { "blas" }

    /// How many threads this backend's work uses, the calling thread included (at least 1).
    public let threads: Int

    /// Whether Perceptron does the threading (default true): see the type's description. False
    /// leaves it to OpenBLAS: each product is one OpenBLAS call with ``threads`` threads of
    /// OpenBLAS's own (for comparison: that is the benchmark's GEMM floor). Either way the
    /// result does not depend on timing.
    public var splitsAcrossThreads: Bool

    /// Whether this build links OpenBLAS (the `OpenBLAS` trait).
    public static var isAvailable: Bool { BLAS.isAvailable }

    /// The BLAS backend. The first one made in a process checks which kernels OpenBLAS chose
    /// and, if they are a fallback for this CPU, switches to the best it has
    /// (``OpenBLASKernel/useBestAvailableCore()``), before any product runs.
    /// - Parameters:
    ///   - threads: the thread count, clamped to 1 ... ``maximumThreadCount``; by default
    ///     ``threadCount`` (the process-wide default) as it is now.
    ///   - splitsAcrossThreads: see ``splitsAcrossThreads``.
    /// - Throws: ``BackendUnavailableError`` when the package was built without the `OpenBLAS` trait.
    public init(threads: Int? = nil, splitsAcrossThreads: Bool = true) throws(BackendUnavailableError) {
        guard BLAS.isAvailable else { throw BackendUnavailableError(backend: "blas") }
        _ = OpenBLASKernel.useBestAvailableCore()
        self.threads = max(1, min(threads ?? BLAS.threadCount, ThreadPool.maximumThreads))
        self.splitsAcrossThreads = splitsAcrossThreads
    }

    /// The thread count a ``BLASBackend`` made without one gets. Process-wide; at first
    /// OpenBLAS's own count (`openblas_get_num_threads`, e.g. from `OPENBLAS_NUM_THREADS`).
    public static var threadCount: Int { BLAS.threadCount }

    /// The most threads a backend uses (a larger count is clamped to it): Perceptron's pool
    /// divides work among at most this many, and Debian's OpenBLAS is built for 64.
    public static let maximumThreadCount = ThreadPool.maximumThreads

    /// Sets the process-wide default thread count (clamped to 1 ... ``maximumThreadCount``) for
    /// backends made from now on; backends that already exist keep theirs.
    public static func setThreadCount(_ count: Int) {
        BLAS.setThreadCount(min(max(1, count), maximumThreadCount))
    }

    /// Runs `body` with OpenBLAS single-threaded when Perceptron does the threading, or with
    /// ``threads`` of OpenBLAS's threads when it does not.
    @inline(__always)
    private func withOpenBLASThreading<R>(_ body: () -> R) -> R {
        splitsAcrossThreads || threads == 1
            ? BLAS.withOpenBLASSingleThreaded(body) : BLAS.withOpenBLASThreads(threads, body)
    }

    /// How many threads Perceptron itself divides work among (1 when OpenBLAS threads).
    private var ownThreads: Int { splitsAcrossThreads ? threads : 1 }

    /// Calls `cblas_?gemm`, once, or once per block of `C` on several threads for a large
    /// product (see the type's description). `α = 0` or `k = 0` gives `C ← β·C` without reading
    /// `A` and `B`, and `β = 0` does not read `C`, as the reference BLAS specifies, on every
    /// kernel OpenBLAS may choose. Zero-sized products return early; leading dimensions are
    /// clamped to at least 1 as BLAS requires of empty operands.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func gemm<T: Scalar>(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: T, a: UnsafeBufferPointer<T>, lda: Int,
        b: UnsafeBufferPointer<T>, ldb: Int,
        beta: T, c: UnsafeMutableBufferPointer<T>, ldc: Int
    ) {
        withUnsafePointer(to: GEMMEpilogue<T>.none) { none in
            product(
                transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
                b: b, ldb: ldb, beta: beta, c: c, ldc: ldc, epilogue: none)
        }
    }

    /// The product as ``gemm(transposeA:transposeB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:)``
    /// makes it, then the epilogue; a divided product applies it to each block on the thread
    /// that computed the block, right after it.
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

    /// Both ?gemm entry points: the scalar special cases, then one OpenBLAS call per block of
    /// the partition, each followed by the epilogue on its block.
    @inline(__always)
    private func product<T: Scalar>(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: T, a: UnsafeBufferPointer<T>, lda: Int,
        b: UnsafeBufferPointer<T>, ldb: Int,
        beta: T, c: UnsafeMutableBufferPointer<T>, ldc: Int, epilogue: UnsafePointer<GEMMEpilogue<T>>
    ) {
        if m == 0 || n == 0 { return }
        let (lda, ldb, ldc) = (max(1, lda), max(1, ldb), max(1, ldc))
        if alpha == 0 || k == 0 {
            // C ← β·C without reading A or B, as the reference BLAS does: some OpenBLAS kernels
            // (0.3.21's AVX-512 small-matrix path) multiply by α = 0 after reading them.
            Self.scaleRows(c, by: beta, m: m, n: n, ldc: ldc)
            epilogue.pointee.apply(to: c, first: 0, count: m, columns: n)
            return
        }
        let blocks = GEMMBlocks(
            partition: ProductPartition.gemm(
                m: m, n: n, k: k, threads: ownThreads, order: epilogue.pointee.partitionOrder),
            transposeA: transposeA, transposeB: transposeB, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb,
            beta: beta, c: c, ldc: ldc, epilogue: epilogue)
        withOpenBLASThreading { run(blocks, count: blocks.partition.blocks) }
    }

    /// Runs the blocks: on this thread when there is one, else on `ThreadPool`'s threads.
    @inline(__always)
    private func run<Work: ChunkedWork>(_ work: Work, count: Int) {
        if count == 1 {
            work.run(chunk: 0)
        } else {
            ThreadPool.shared.forEach(chunks: count, threads: ownThreads, work)
        }
    }

    /// Calls `cblas_?gemv`, once, or once per block of `y` on several threads for a large
    /// product (see the type's description). `α = 0` or an empty inner dimension gives
    /// `y ← β·y` without reading `A` and `x`; `β = 0` does not read `y`.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func gemv<T: Scalar>(
        transposeA: Bool, m: Int, n: Int,
        alpha: T, a: UnsafeBufferPointer<T>, lda: Int,
        x: UnsafeBufferPointer<T>, beta: T, y: UnsafeMutableBufferPointer<T>
    ) {
        if y.isEmpty { return }
        let outputs = transposeA ? n : m
        if alpha == 0 || (transposeA ? m : n) == 0 {
            // y ← β·y without reading A or x (α = 0, or op(A)·x an empty sum), as the
            // reference BLAS does.
            Self.scaleRows(y, by: beta, m: 1, n: outputs, ldc: outputs)
            return
        }
        let lda = max(1, lda)
        // β = 0 must not read y; OpenBLAS's ?gemv scales y by β first, and what a scaling
        // kernel does with 0·NaN differs between kernels and versions. Zeroing y here makes
        // every kernel add to zeros.
        if beta == 0 { UnsafeMutableBufferPointer(rebasing: y[0..<outputs]).update(repeating: 0) }
        let (elements, overflow) = m.multipliedReportingOverflow(by: n)
        let blocks = GEMVBlocks(
            partition: ProductPartition.gemv(
                outputs: outputs, elements: overflow ? Int.max : elements, threads: ownThreads),
            transposeA: transposeA, m: m, n: n, alpha: alpha, a: a, lda: lda, x: x, beta: beta, y: y)
        withOpenBLASThreading { run(blocks, count: blocks.partition.blocks) }
    }

    /// `C ← β·C` over an `m × n` block with leading dimension `ldc`; `β = 0` writes zeros
    /// without reading `C` (a NaN there is overwritten), `β = 1` leaves `C` untouched.
    private static func scaleRows<T: Scalar>(
        _ c: UnsafeMutableBufferPointer<T>, by beta: T, m: Int, n: Int, ldc: Int
    ) {
        if beta == 1 { return }
        for i in 0..<m {
            let row = UnsafeMutableBufferPointer(rebasing: c[(i * ldc)..<(i * ldc + n)])
            if beta == 0 {
                row.update(repeating: 0)
            } else {
                for j in row.indices { row[j] *= beta }
            }
        }
    }

    /// Runs a level-1 call with OpenBLAS threaded as this backend's products are.
    @inline(__always)
    private func level1<R>(_ call: () -> R) -> R {
        withOpenBLASThreading(call)
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
