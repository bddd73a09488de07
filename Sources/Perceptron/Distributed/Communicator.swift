/// The processes that train one model together, and the collective operations between them.
///
/// Under Open MPI's launcher (`mpirun -np N …`) with the package built with the `MPI` trait,
/// ``world()`` is every process the launcher started, ranked `0..<N`. A process not started by
/// the launcher is a world of its own (``single``): rank 0 of 1, where every collective is the
/// identity and MPI is never initialised.
///
/// Collectives must be called by every process of the world in the same order (MPI's rule);
/// each blocks until all have joined it.
public struct Communicator: Sendable, Equatable {
    /// This process's index in the world, from 0.
    public let rank: Int
    /// The number of processes in the world.
    public let size: Int
    /// Whether the collectives go through MPI (false for ``single``).
    let usesMPI: Bool

    /// A world of one process, without MPI: rank 0 of 1.
    public static let single = Communicator(rank: 0, size: 1, usesMPI: false)

    /// Whether the package was built with the `MPI` trait (so ``world()`` can span processes).
    public static var isAvailable: Bool { MPI.isAvailable }

    /// Every process started by the same `mpirun`; ``single`` when this process was not started
    /// by Open MPI's launcher. The first call initialises MPI, which stays up until the process
    /// exits.
    /// - Throws: ``CommunicatorError`` if MPI cannot start, or if the launcher started several
    ///   processes but the package was built without the `MPI` trait (each would otherwise
    ///   train alone and overwrite the others' files).
    public static func world() throws(CommunicatorError) -> Communicator {
        guard let launched = MPI.launchedWorldSize else { return .single }
        guard MPI.isAvailable else {
            if launched <= 1 { return .single }
            throw CommunicatorError(
                operation: "MPI_Init", code: nil,
                message:
                    "started by mpirun with \(launched) processes, but this build has no MPI (build with --traits default,MPI)"
            )
        }
        let world = try MPI.world()
        return Communicator(rank: world.rank, size: world.size, usesMPI: true)
    }

    /// Whether this process is rank 0, the one that writes files and reports progress.
    public var isRoot: Bool { rank == 0 }

    /// Sums `buffer` element-wise over every process, in place: afterwards every process holds
    /// `Σ_r buffer_r`. The identity in a world of one. Calls `MPI_Allreduce` (`MPI_IN_PLACE`,
    /// `MPI_SUM`).
    /// - Throws: ``CommunicatorError`` if MPI reports a failure.
    public func allreduceSum<T: Scalar>(_ buffer: UnsafeMutableBufferPointer<T>) throws(CommunicatorError) {
        guard usesMPI else { return }
        try MPI.allreduceSum(buffer)
    }

    /// Sums `values` element-wise over every process, in place (as the buffer form does).
    /// - Throws: ``CommunicatorError`` if MPI reports a failure.
    public func allreduceSum<T: Scalar>(_ values: inout [T]) throws(CommunicatorError) {
        guard usesMPI else { return }
        try values.withUnsafeMutableBufferPointer { (buffer) throws(CommunicatorError) in try MPI.allreduceSum(buffer) }
    }

    /// Copies `buffer` on rank `root` into `buffer` on every other process (all buffers must
    /// have the same length). The identity in a world of one. Calls `MPI_Bcast`.
    /// - Throws: ``CommunicatorError`` if `root` is not a rank or MPI reports a failure.
    public func broadcast<T: Scalar>(_ buffer: UnsafeMutableBufferPointer<T>, from root: Int = 0)
        throws(CommunicatorError)
    {
        try checkRoot(root)
        guard usesMPI else { return }
        try MPI.broadcast(buffer, root: root)
    }

    /// Copies `values` on rank `root` into `values` on every other process (as the buffer form
    /// does).
    /// - Throws: ``CommunicatorError`` if `root` is not a rank or MPI reports a failure.
    public func broadcast<T: Scalar>(_ values: inout [T], from root: Int = 0) throws(CommunicatorError) {
        try checkRoot(root)
        guard usesMPI else { return }
        try values.withUnsafeMutableBufferPointer { (buffer) throws(CommunicatorError) in
            try MPI.broadcast(buffer, root: root)
        }
    }

    /// Returns once every process has called it. Calls `MPI_Barrier`.
    /// - Throws: ``CommunicatorError`` if MPI reports a failure.
    public func barrier() throws(CommunicatorError) {
        guard usesMPI else { return }
        try MPI.barrier()
    }

    /// ``barrier()`` for a process with nothing to do meanwhile: it sleeps 1 ms between checks
    /// instead of polling MPI, leaving its core to the processes still working (a benchmark's
    /// ranks waiting while rank 0 measures alone). Calls `MPI_Ibarrier` and `MPI_Test`.
    /// - Throws: ``CommunicatorError`` if MPI reports a failure.
    package func sleepingBarrier() throws(CommunicatorError) {
        guard usesMPI else { return }
        try MPI.sleepingBarrier(interval: 1000)
    }

    /// Ends every process of the job with exit status `code`: the way out of a failure that
    /// the other processes cannot know about, which would otherwise leave them waiting in a
    /// collective. Calls `MPI_Abort`; in a world of one, `exit`.
    public func abort(exitCode code: Int32) -> Never {
        MPI.abort(code: code, wholeJob: usesMPI && size > 1)
    }

    private func checkRoot(_ root: Int) throws(CommunicatorError) {
        guard (0..<size).contains(root) else {
            throw CommunicatorError(
                operation: "MPI_Bcast", code: nil, message: "root \(root) is not a rank of a world of \(size)")
        }
    }
}
