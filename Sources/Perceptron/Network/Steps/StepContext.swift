/// Where one step of ``ExecutionPlan`` finds everything for one batch: the workspace units, the
/// parameters and their gradients, the running statistics, the backend and the mode. Built once
/// per call of `Network.run`; every accessor is a pointer computation, nothing allocates.
struct StepContext<T: Scalar> {
    /// The kernels products run on.
    let backend: any Backend
    /// Rows in this batch.
    let batch: Int
    /// Training or evaluation (dropout, batch normalisation).
    let mode: ExecutionMode
    /// The start of the per-sample units (each unit is `batch` elements).
    let units: UnsafeMutablePointer<T>
    /// The batch-independent scratch region (per-feature statistics of batch normalisation).
    let scratch: UnsafeMutablePointer<T>
    /// A vector of `batch` ones (`db = Gᵀ·1`).
    let ones: UnsafeBufferPointer<T>
    /// Every parameter (``Network/parameters`` layout).
    let parameters: UnsafeBufferPointer<T>
    /// dL/dparameter, same layout; empty when no backward pass runs.
    let gradients: UnsafeMutableBufferPointer<T>
    /// Running statistics of batch normalisation (`running_mean`, then `running_var`, per module).
    let statistics: UnsafeMutableBufferPointer<T>
    /// `num_batches_tracked` of each batch-normalisation module.
    let batchesTracked: UnsafeMutableBufferPointer<Int>
    /// The generator dropout masks are drawn from.
    let generator: UnsafeMutablePointer<SeededGenerator>

    /// The `[batch, width]` buffer at `unit`.
    @inline(__always)
    func unit(_ unit: Int, width: Int) -> UnsafeMutableBufferPointer<T> {
        UnsafeMutableBufferPointer(start: units + unit * batch, count: width * batch)
    }

    /// `count` parameters from `offset`.
    @inline(__always)
    func parameters(_ offset: Int, _ count: Int) -> UnsafeBufferPointer<T> {
        UnsafeBufferPointer(rebasing: parameters[offset..<(offset + count)])
    }

    /// `count` gradients from `offset`.
    @inline(__always)
    func gradients(_ offset: Int, _ count: Int) -> UnsafeMutableBufferPointer<T> {
        UnsafeMutableBufferPointer(rebasing: gradients[offset..<(offset + count)])
    }
}

/// The buffers every step has: its input, its output, and dL/d(output) and dL/d(input).
struct StepIO<T: Scalar> {
    /// `X`, `[batch, inputWidth]`: the previous step's output or the network's input.
    let input: UnsafeBufferPointer<T>
    /// `Y`, `[batch, width]`.
    let output: UnsafeMutableBufferPointer<T>
    /// dL/dY, `[batch, width]` (during the backward pass).
    let outputGradient: UnsafeMutableBufferPointer<T>
    /// Where dL/dX goes, `[batch, inputWidth]`; `nil` when nobody needs it (the first step,
    /// unless the input gradient was asked for). In-place steps share it with `outputGradient`.
    let inputGradient: UnsafeMutableBufferPointer<T>?
}
