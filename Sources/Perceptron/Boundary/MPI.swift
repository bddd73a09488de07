#if canImport(Glibc)
import Glibc
#endif

#if MPI
import CMPI
#endif

/// The only file that calls MPI. Swift types in, Swift types out: the datatype (`MPI_FLOAT` or
/// `MPI_DOUBLE`) is chosen from `T.precision`, counts become `Int32` (buffers longer than
/// `Int32.max` go in pieces), and every MPI return code becomes a ``CommunicatorError``.
///
/// MPI is initialised once per process, on first use, and finalised at exit. The world
/// communicator returns error codes (`MPI_ERRORS_RETURN`) instead of aborting, so a failure
/// becomes a thrown error. Without the `MPI` trait nothing here calls MPI: ``isAvailable`` is
/// false and ``world()`` throws.
enum MPI {
    /// Whether the package was built with the `MPI` trait.
    #if MPI
    static let isAvailable = true
    #else
    static let isAvailable = false
    #endif

    /// The number of processes Open MPI's launcher (`mpirun`, `mpiexec`) started this process
    /// among, from `OMPI_COMM_WORLD_SIZE`; `nil` when it was not started by the launcher.
    static var launchedWorldSize: Int? {
        getenv("OMPI_COMM_WORLD_SIZE").flatMap { Int(String(cString: $0)) }
    }

    /// This process's rank and the world's size. The first call initialises MPI (calls
    /// `MPI_Init_thread` asking for `MPI_THREAD_SERIALIZED`, `MPI_Comm_set_errhandler` with
    /// `MPI_ERRORS_RETURN`, `MPI_Comm_rank`, `MPI_Comm_size`) and registers `MPI_Finalize` to
    /// run at exit; later calls return the same answer.
    /// - Throws: ``CommunicatorError`` if MPI cannot start, or the `MPI` trait is off.
    static func world() throws(CommunicatorError) -> (rank: Int, size: Int) {
        try initialized.get()
    }

    private static let initialized: Result<(rank: Int, size: Int), CommunicatorError> = {
        #if MPI
        do throws(CommunicatorError) {
            var provided: Int32 = 0
            try check(MPI_Init_thread(nil, nil, Int32(MPI_THREAD_SERIALIZED), &provided), "MPI_Init_thread")
            atexit {
                var finalized: Int32 = 0
                MPI_Finalized(&finalized)
                if finalized == 0 { MPI_Finalize() }
            }
            guard provided >= Int32(MPI_THREAD_SERIALIZED) else {
                throw CommunicatorError(
                    operation: "MPI_Init_thread", code: nil,
                    message: "the MPI library does not allow calls from more than one thread (MPI_THREAD_SERIALIZED)")
            }
            try check(MPI_Comm_set_errhandler(CMPI_comm_world(), CMPI_errors_return()), "MPI_Comm_set_errhandler")
            var rank: Int32 = 0
            var size: Int32 = 0
            try check(MPI_Comm_rank(CMPI_comm_world(), &rank), "MPI_Comm_rank")
            try check(MPI_Comm_size(CMPI_comm_world(), &size), "MPI_Comm_size")
            return .success((Int(rank), Int(size)))
        } catch {
            return .failure(error)
        }
        #else
        return .failure(
            CommunicatorError(
                operation: "MPI_Init", code: nil,
                message: "this build has no MPI (build with --traits default,MPI to train across processes)"))
        #endif
    }()

    /// Sums `buffer` element-wise over every process, in place: afterwards each process holds
    /// the sum. Calls `MPI_Allreduce` with `MPI_IN_PLACE` and `MPI_SUM`.
    static func allreduceSum<T: Scalar>(_ buffer: UnsafeMutableBufferPointer<T>) throws(CommunicatorError) {
        #if MPI
        try inPieces(buffer) { (start, count) throws(CommunicatorError) in
            try check(
                MPI_Allreduce(CMPI_in_place(), start, count, datatype(T.self), CMPI_sum(), CMPI_comm_world()),
                "MPI_Allreduce")
        }
        #else
        try unavailable("MPI_Allreduce")
        #endif
    }

    /// Copies `buffer` on process `root` into `buffer` on every other process. Calls `MPI_Bcast`.
    static func broadcast<T: Scalar>(_ buffer: UnsafeMutableBufferPointer<T>, root: Int) throws(CommunicatorError) {
        #if MPI
        try inPieces(buffer) { (start, count) throws(CommunicatorError) in
            try check(MPI_Bcast(start, count, datatype(T.self), Int32(root), CMPI_comm_world()), "MPI_Bcast")
        }
        #else
        try unavailable("MPI_Bcast")
        #endif
    }

    /// Returns once every process has called it. Calls `MPI_Barrier`.
    static func barrier() throws(CommunicatorError) {
        #if MPI
        try check(MPI_Barrier(CMPI_comm_world()), "MPI_Barrier")
        #else
        try unavailable("MPI_Barrier")
        #endif
    }

    /// Returns once every process has called it, sleeping `interval` microseconds between checks
    /// instead of polling MPI continuously. Calls `MPI_Ibarrier`, then `MPI_Test` and `usleep`.
    static func sleepingBarrier(interval: UInt32) throws(CommunicatorError) {
        #if MPI
        var request: MPI_Request? = nil
        try check(MPI_Ibarrier(CMPI_comm_world(), &request), "MPI_Ibarrier")
        var done: Int32 = 0
        while true {
            try check(MPI_Test(&request, &done, nil), "MPI_Test")
            if done != 0 { return }
            usleep(interval)
        }
        #else
        try unavailable("MPI_Ibarrier")
        #endif
    }

    /// Ends this process with `code`, and with `wholeJob` every process of the job: calls
    /// `MPI_Abort` then (else `exit`).
    static func abort(code: Int32, wholeJob: Bool) -> Never {
        #if MPI
        if wholeJob { MPI_Abort(CMPI_comm_world(), code) }
        #endif
        exit(code)
    }

    #if MPI
    /// `MPI_FLOAT` or `MPI_DOUBLE`.
    private static func datatype<T: Scalar>(_: T.Type) -> MPI_Datatype {
        switch T.precision {
        case .float32: CMPI_float()
        case .float64: CMPI_double()
        }
    }

    /// Calls `body` on consecutive pieces of at most `Int32.max` elements (MPI counts are `int`).
    private static func inPieces<T>(
        _ buffer: UnsafeMutableBufferPointer<T>, _ body: (UnsafeMutableRawPointer, Int32) throws(CommunicatorError) -> Void
    ) throws(CommunicatorError) {
        guard let base = buffer.baseAddress else { return }
        var start = 0
        while start < buffer.count {
            let count = min(buffer.count - start, Int(Int32.max))
            try body(UnsafeMutableRawPointer(base + start), Int32(count))
            start += count
        }
    }

    /// Throws unless `code` is `MPI_SUCCESS`; the message is `MPI_Error_string`'s.
    private static func check(_ code: Int32, _ operation: String) throws(CommunicatorError) {
        guard code != MPI_SUCCESS else { return }
        var text = [CChar](repeating: 0, count: Int(MPI_MAX_ERROR_STRING) + 1)
        var length: Int32 = 0
        let message =
            MPI_Error_string(code, &text, &length) == MPI_SUCCESS
            ? String(decoding: text[0..<Int(length)].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            : "unknown error"
        throw CommunicatorError(operation: operation, code: Int(code), message: message)
    }
    #else
    private static func unavailable(_ operation: String) throws(CommunicatorError) {
        throw CommunicatorError(operation: operation, code: nil, message: "this build has no MPI")
    }
    #endif
}
