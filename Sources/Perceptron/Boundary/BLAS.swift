#if canImport(Glibc)
import Glibc
#endif

#if OpenBLAS
import CBLAS
#endif

/// The only file that calls CBLAS. Swift types in, Swift types out: the `s` or `d` routine is
/// chosen from `T.precision`, flags become `CblasTrans`/`CblasNoTrans`, sizes become `Int32`.
///
/// Without the `OpenBLAS` trait every entry point is unreachable: ``BLASBackend`` cannot be
/// created then (see ``BLAS/isAvailable``).
enum BLAS {
    /// Whether the package was built with the `OpenBLAS` trait.
    #if OpenBLAS
    static let isAvailable = true
    #else
    static let isAvailable = false
    #endif

    /// Calls `cblas_?gemm` with `CblasRowMajor`.
    @inline(__always)
    static func gemm<T: Scalar>(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: T, a: UnsafeBufferPointer<T>, lda: Int,
        b: UnsafeBufferPointer<T>, ldb: Int,
        beta: T, c: UnsafeMutableBufferPointer<T>, ldc: Int
    ) {
        #if OpenBLAS
        let ta = transposeA ? CblasTrans : CblasNoTrans
        let tb = transposeB ? CblasTrans : CblasNoTrans
        switch T.precision {
        case .float32:
            cblas_sgemm(
                CblasRowMajor, ta, tb, Int32(m), Int32(n), Int32(k), Float(alpha),
                float(a), Int32(lda), float(b), Int32(ldb), Float(beta), float(c), Int32(ldc))
        case .float64:
            cblas_dgemm(
                CblasRowMajor, ta, tb, Int32(m), Int32(n), Int32(k), Double(alpha),
                double(a), Int32(lda), double(b), Int32(ldb), Double(beta), double(c), Int32(ldc))
        }
        #else
        preconditionFailure("BLAS.gemm called in a build without the OpenBLAS trait")
        #endif
    }

    /// Calls `cblas_?gemv` with `CblasRowMajor`.
    @inline(__always)
    static func gemv<T: Scalar>(
        transposeA: Bool, m: Int, n: Int, alpha: T, a: UnsafeBufferPointer<T>, lda: Int,
        x: UnsafeBufferPointer<T>, beta: T, y: UnsafeMutableBufferPointer<T>
    ) {
        #if OpenBLAS
        let ta = transposeA ? CblasTrans : CblasNoTrans
        switch T.precision {
        case .float32:
            cblas_sgemv(
                CblasRowMajor, ta, Int32(m), Int32(n), Float(alpha), float(a), Int32(lda),
                float(x), 1, Float(beta), float(y), 1)
        case .float64:
            cblas_dgemv(
                CblasRowMajor, ta, Int32(m), Int32(n), Double(alpha), double(a), Int32(lda),
                double(x), 1, Double(beta), double(y), 1)
        }
        #else
        preconditionFailure("BLAS.gemv called in a build without the OpenBLAS trait")
        #endif
    }

    /// Calls `cblas_?axpy` with unit strides.
    @inline(__always)
    static func axpy<T: Scalar>(alpha: T, x: UnsafeBufferPointer<T>, y: UnsafeMutableBufferPointer<T>) {
        #if OpenBLAS
        switch T.precision {
        case .float32: cblas_saxpy(Int32(x.count), Float(alpha), float(x), 1, float(y), 1)
        case .float64: cblas_daxpy(Int32(x.count), Double(alpha), double(x), 1, double(y), 1)
        }
        #else
        preconditionFailure("BLAS.axpy called in a build without the OpenBLAS trait")
        #endif
    }

    /// Calls `cblas_?scal` with unit stride.
    @inline(__always)
    static func scal<T: Scalar>(alpha: T, x: UnsafeMutableBufferPointer<T>) {
        #if OpenBLAS
        switch T.precision {
        case .float32: cblas_sscal(Int32(x.count), Float(alpha), float(x), 1)
        case .float64: cblas_dscal(Int32(x.count), Double(alpha), double(x), 1)
        }
        #else
        preconditionFailure("BLAS.scal called in a build without the OpenBLAS trait")
        #endif
    }

    /// Calls `cblas_?dot` with unit strides.
    @inline(__always)
    static func dot<T: Scalar>(_ x: UnsafeBufferPointer<T>, _ y: UnsafeBufferPointer<T>) -> T {
        #if OpenBLAS
        switch T.precision {
        case .float32: return T(cblas_sdot(Int32(x.count), float(x), 1, float(y), 1))
        case .float64: return T(cblas_ddot(Int32(x.count), double(x), 1, double(y), 1))
        }
        #else
        preconditionFailure("BLAS.dot called in a build without the OpenBLAS trait")
        #endif
    }

    /// The process-wide default thread count (OpenBLAS's own at first use, then
    /// ``setThreadCount(_:)``'s); the count OpenBLAS runs now (as last set through this type);
    /// and how many stretches of work currently need OpenBLAS single-threaded (see
    /// ``withOpenBLASSingleThreaded(_:)``).
    private struct Threading {
        var requested: Int
        var current: Int
        var singleThreadedStretches = 0

        /// Sets OpenBLAS's count unless it already runs that many.
        mutating func setOpenBLAS(_ count: Int) {
            #if OpenBLAS
            if current != count { openblas_set_num_threads(Int32(clamping: count)) }
            #endif
            current = count
        }
    }

    #if OpenBLAS
    /// Guarded by `threadingLock`. (A pthread mutex rather than `Synchronization.Mutex`, whose
    /// futex calls ThreadSanitizer cannot follow.)
    nonisolated(unsafe) private static var threadingState: Threading = {
        let count = Int(openblas_get_num_threads())
        return Threading(requested: count, current: count)
    }()
    nonisolated(unsafe) private static let threadingLock: UnsafeMutablePointer<pthread_mutex_t> = {
        let lock = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        pthread_mutex_init(lock, nil)
        return lock
    }()

    /// Runs `body` on the threading state under its lock.
    private static func withThreading<R>(_ body: (inout Threading) -> R) -> R {
        pthread_mutex_lock(threadingLock)
        defer { pthread_mutex_unlock(threadingLock) }
        return body(&threadingState)
    }
    #endif

    /// The process-wide default thread count (1 without the trait).
    static var threadCount: Int {
        #if OpenBLAS
        withThreading { $0.requested }
        #else
        1
        #endif
    }

    /// Sets the process-wide default thread count, and OpenBLAS's own count now (or, while a
    /// single-threaded stretch runs, at the next call that lets OpenBLAS thread).
    static func setThreadCount(_ count: Int) {
        #if OpenBLAS
        withThreading { state in
            state.requested = count
            if state.singleThreadedStretches == 0 { state.setOpenBLAS(count) }
        }
        #endif
    }

    /// Runs `body` with OpenBLAS single-threaded, for work that runs its own threads, each
    /// making OpenBLAS calls. Process-wide: a call that another thread makes meanwhile also runs
    /// single-threaded (correct, only slower). OpenBLAS stays single-threaded afterwards until a
    /// call asks for more (``withOpenBLASThreads(_:_:)``, ``setThreadCount(_:)``), so a run of
    /// such stretches calls `openblas_set_num_threads` at most once.
    static func withOpenBLASSingleThreaded<R>(_ body: () -> R) -> R {
        #if OpenBLAS
        withThreading { state in
            state.setOpenBLAS(1)
            state.singleThreadedStretches += 1
        }
        defer { withThreading { $0.singleThreadedStretches -= 1 } }
        #endif
        return body()
    }

    /// Runs `body` with OpenBLAS running `count` threads of its own, unless a single-threaded
    /// stretch is running on another thread (then single-threaded: correct, only slower).
    static func withOpenBLASThreads<R>(_ count: Int, _ body: () -> R) -> R {
        #if OpenBLAS
        withThreading { state in
            if state.singleThreadedStretches == 0 { state.setOpenBLAS(count) }
        }
        #endif
        return body()
    }

    /// The thread count OpenBLAS itself runs now; calls `openblas_get_num_threads`
    /// (1 without the trait).
    static var openBLASThreadCount: Int {
        #if OpenBLAS
        Int(openblas_get_num_threads())
        #else
        1
        #endif
    }

    // Pointer reinterpretation: T is Float (or Double) whenever these are called, as checked
    // by the `switch T.precision` at each call site. Empty buffers give nil, which BLAS accepts
    // for zero-sized operands.
    @inline(__always)
    private static func float<T>(_ p: UnsafeBufferPointer<T>) -> UnsafePointer<Float>? {
        UnsafeRawPointer(p.baseAddress)?.assumingMemoryBound(to: Float.self)
    }
    @inline(__always)
    private static func float<T>(_ p: UnsafeMutableBufferPointer<T>) -> UnsafeMutablePointer<Float>? {
        UnsafeMutableRawPointer(p.baseAddress)?.assumingMemoryBound(to: Float.self)
    }
    @inline(__always)
    private static func double<T>(_ p: UnsafeBufferPointer<T>) -> UnsafePointer<Double>? {
        UnsafeRawPointer(p.baseAddress)?.assumingMemoryBound(to: Double.self)
    }
    @inline(__always)
    private static func double<T>(_ p: UnsafeMutableBufferPointer<T>) -> UnsafeMutablePointer<Double>? {
        UnsafeMutableRawPointer(p.baseAddress)?.assumingMemoryBound(to: Double.self)
    }
}

// MARK: - Which kernels OpenBLAS runs

/// What OpenBLAS says about itself, and the one way to change its kernels after it has loaded.
/// Without the `OpenBLAS` trait every reader returns `nil` (or 1 thread) and nothing switches.
extension BLAS {
    /// The name of the kernel set ("core") OpenBLAS uses now, e.g. `"Haswell"`, `"SkylakeX"`;
    /// calls `openblas_get_corename`.
    static var coreName: String? {
        #if OpenBLAS
        openblas_get_corename().map { String(cString: $0) }
        #else
        nil
        #endif
    }

    /// The build description, e.g. `"OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY
    /// Cooperlake MAX_THREADS=64"`; calls `openblas_get_config`.
    static var configuration: String? {
        #if OpenBLAS
        openblas_get_config().map { String(cString: $0) }
        #else
        nil
        #endif
    }

    /// How OpenBLAS was built to run threads: 0 sequential, 1 pthreads, 2 OpenMP; calls
    /// `openblas_get_parallel`.
    static var parallelMode: Int? {
        #if OpenBLAS
        Int(openblas_get_parallel())
        #else
        nil
        #endif
    }

    /// The environment variable OpenBLAS reads, once, when it chooses its kernels.
    static let coreTypeVariable = "OPENBLAS_CORETYPE"

    /// The value of `OPENBLAS_CORETYPE` in this process's environment, or `nil` when unset.
    static var coreTypeSetting: String? {
        getenv(coreTypeVariable).map { String(cString: $0) }
    }

    /// Makes OpenBLAS choose its kernels again as it does at load, with `OPENBLAS_CORETYPE` set
    /// to `core` meanwhile (restored as it was afterwards); calls `gotoblas_dynamic_quit`, then
    /// `gotoblas_dynamic_init`. Returns the core in use afterwards (``coreName``), which is
    /// OpenBLAS's own choice again when it does not accept the name; `nil` when this OpenBLAS
    /// does not export those two functions (a build without DYNAMIC_ARCH) or without the trait.
    ///
    /// Not thread-safe in any way: no other thread may be inside OpenBLAS meanwhile.
    /// Undocumented by OpenBLAS; with 0.3.21 it gives the same kernels, parameters and results
    /// as choosing the core at load with `OPENBLAS_CORETYPE`.
    static func reloadKernels(core: String) -> String? {
        #if OpenBLAS
        let previous = coreTypeSetting
        setenv(coreTypeVariable, core, 1)
        let reloaded = CBLAS_reload_kernels() != 0
        if let previous { setenv(coreTypeVariable, previous, 1) } else { unsetenv(coreTypeVariable) }
        return reloaded ? coreName : nil
        #else
        nil
        #endif
    }
}
