/// What ``Network/fit(_:_:loss:optimizer:configuration:validation:progress:epochEnded:)`` does
/// differently when several processes train one model: Horovod's and PyTorch DDP's recipe.
///
/// Every rank holds the whole data set and a full copy of the network, starts from rank 0's
/// parameters, and shuffles with the same seed, so all ranks agree on each global batch. Rank
/// `r` of `R` trains on a contiguous share of the batch (``share(of:rank:size:)``); one
/// in-place allreduce per step turns the ranks' gradients into the global batch's gradient;
/// then every rank applies the same optimizer update, so the copies never diverge.
///
/// Every decision (the non-finite stop, early stopping, a failed end-of-epoch callback) is
/// taken from allreduced values, so all ranks take it on the same step.
struct DataParallelTraining<T: Scalar> {
    /// The processes training together.
    let communicator: Communicator
    /// The gradient of the rank's summed loss, then that summed loss, what its mean divides by
    /// and its stop flag: one contiguous buffer, allreduced in place once per step. Allocated once.
    private var reduction: [T]

    /// Training state for `parameterCount` parameters.
    init(communicator: Communicator, parameterCount: Int) {
        self.communicator = communicator
        self.reduction = [T](repeating: 0, count: communicator.size > 1 ? parameterCount + 3 : 0)
    }

    /// Whether more than one process trains (otherwise `fit` runs exactly as alone).
    var isDistributed: Bool { communicator.size > 1 }

    /// Rank `rank`'s contiguous share of the rows `rows` split over `size` ranks: the first
    /// `count % size` ranks take `⌊count/size⌋ + 1` rows, the others `⌊count/size⌋` (possibly 0).
    static func share(of rows: Range<Int>, rank: Int, size: Int) -> Range<Int> {
        let base = rows.count / size
        let extra = rows.count % size
        let start = rows.lowerBound + rank * base + min(rank, extra)
        return start..<(start + base + (rank < extra ? 1 : 0))
    }

    /// This rank's share of `rows`.
    func share(of rows: Range<Int>) -> Range<Int> {
        Self.share(of: rows, rank: communicator.rank, size: communicator.size)
    }

    /// Before the first step: checks that every rank's data passed validation (`localFailure`
    /// is this rank's error, if any) and that all ranks agree on `shape` (parameter and sample
    /// counts), then replaces `parameters` by rank 0's.
    /// - Throws: `localFailure` on the rank that had it; ``TrainingError/distributed(_:)`` on
    ///   the others, and on every rank when the shapes differ or MPI fails.
    func start(parameters: inout [T], localFailure: TrainingError?, shape: [Int]) throws(TrainingError) {
        var failed = [localFailure == nil ? 0.0 : 1.0]
        try run { () throws(CommunicatorError) in try communicator.allreduceSum(&failed) }
        if let localFailure { throw localFailure }
        guard failed[0] == 0 else {
            throw .distributed(
                "\(Int(failed[0])) of \(communicator.size) ranks could not start training (their data does not fit the network or the loss)")
        }
        // Rank 0's shape to every rank, then how many ranks differ from it.
        let local = shape.map(Double.init)
        var reference = local
        try run { () throws(CommunicatorError) in try communicator.broadcast(&reference, from: 0) }
        var differing = [reference == local ? 0.0 : 1.0]
        try run { () throws(CommunicatorError) in try communicator.allreduceSum(&differing) }
        guard differing[0] == 0 else {
            throw .distributed(
                "\(Int(differing[0])) of \(communicator.size) ranks hold a different network or data than rank 0 (rank \(communicator.rank) has \(shape[0]) parameters, \(shape[1]) training and \(shape[2]) validation samples); every rank must load the same model and data")
        }
        try run { () throws(CommunicatorError) in try communicator.broadcast(&parameters, from: 0) }
    }

    /// Turns this rank's gradient into the global batch's, in place, and returns the global
    /// batch's mean loss.
    ///
    /// `stop` is this rank's wish to stop (a signal arrived); the returned `stop` is whether any
    /// rank wished it, so every rank stops before the same update.
    ///
    /// `gradients` is `g_r = dL_r/dθ` for this rank's mean loss `L_r = S_r / w_r`, where `S_r`
    /// is the summed (per-row, or class-weighted) loss of its share and `w_r = weight` what the
    /// mean divides by (its rows, or the class weights of its rows; 0 for no rows, when
    /// `gradients` is ignored). The global batch's mean loss is `L = Σ_r S_r / W` with
    /// `W = Σ_r w_r`, so `dL/dθ = (Σ_r w_r·g_r) / W`: each rank writes `w_r·g_r` (the gradient of
    /// its summed loss), then `S_r`, `w_r` and its stop flag, into one preallocated buffer; one `MPI_Allreduce`
    /// sums it in place; the sum divided by `W` is copied back into `gradients`, and `Σ S_r / W`
    /// returned. Allocates nothing.
    /// - Throws: ``TrainingError/distributed(_:)`` if MPI fails.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    mutating func reduce(
        gradients: inout [T], loss: T, weight: Double, stop: Bool
    ) throws(TrainingError) -> (loss: T, stop: Bool) {
        let count = gradients.count
        let w = T(weight)
        reduction.withUnsafeMutableBufferPointer { r in
            gradients.withUnsafeBufferPointer { g in
                if weight == 0 {
                    r.update(repeating: 0)
                } else {
                    for i in 0..<count { r[i] = g[i] * w }
                    r[count] = loss * w
                    r[count + 1] = w
                }
                r[count + 2] = stop ? 1 : 0
            }
        }
        let communicator = self.communicator
        try run { () throws(CommunicatorError) in try communicator.allreduceSum(&reduction) }
        return reduction.withUnsafeBufferPointer { r in
            let total = r[count + 1]
            gradients.withUnsafeMutableBufferPointer { g in
                for i in 0..<count { g[i] = r[i] / total }
            }
            return (r[count] / total, r[count + 2] > 0)
        }
    }

    /// The dropout seed of this rank: `seed` alone, mixed with the rank otherwise, so that the
    /// ranks draw different masks for their different rows.
    func dropoutSeed(_ seed: UInt64) -> UInt64 {
        isDistributed ? seed ^ (UInt64(communicator.rank + 1) &* 0x9E37_79B9_7F4A_7C15) : seed
    }

    /// Whether some rank's share of a batch would be a single row (batch normalisation needs
    /// two or more): a share of a full batch of `batchSize` rows, or of the last, shorter batch
    /// of `trainCount` samples.
    func hasOneRowShare(batchSize: Int, trainCount: Int) -> Bool {
        let last = trainCount % batchSize
        return [batchSize, last].contains { count in
            count > 0 && (0..<communicator.size).contains { Self.share(of: 0..<count, rank: $0, size: communicator.size).count == 1 }
        }
    }

    /// Replaces `statistics` (batch normalisation's running means and variances, updated by
    /// each rank from its own shares) by their mean over the ranks, so that every rank
    /// evaluates and saves the same model: `s ← (1/R) Σ_r s_r`. One allreduce; nothing when
    /// `statistics` is empty.
    /// - Throws: ``TrainingError/distributed(_:)`` if MPI fails.
    func average(_ statistics: inout [T]) throws(TrainingError) {
        guard !statistics.isEmpty else { return }
        try run { () throws(CommunicatorError) in try communicator.allreduceSum(&statistics) }
        let scale = 1 / T(communicator.size)
        for i in statistics.indices { statistics[i] *= scale }
    }

    /// `values` summed over every rank (once per epoch: the epoch's counts and validation sums).
    /// - Throws: ``TrainingError/distributed(_:)`` if MPI fails.
    func sum(_ values: [Double]) throws(TrainingError) -> [Double] {
        var sums = values
        try run { () throws(CommunicatorError) in try communicator.allreduceSum(&sums) }
        return sums
    }

    /// Runs a collective, turning its failure into a ``TrainingError``.
    private func run(_ body: () throws(CommunicatorError) -> Void) throws(TrainingError) {
        do { try body() } catch { throw .distributed("\(error)") }
    }
}
