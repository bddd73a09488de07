/// Row-wise work fused into a ?gemm: applied to the rows of `C` as soon as they are final, while
/// they are still in cache, by whichever thread computed them (the idea of cuBLASLt's
/// epilogues). `C` is `[m, n]`, its rows contiguous (`ldc = n`); the buffers an epilogue names
/// are `[m, n]` like `C`, or `[n]` for a bias.
public enum GEMMEpilogue<T: Scalar> {
    /// Nothing: a plain ?gemm.
    case none
    /// `Z = C + b` (`b` broadcast over rows), then `C ← f(Z)`; `Z` is also stored in
    /// `preactivation` when given (GELU's backward needs it). Without an activation, the bias only.
    case biasActivation(Activation?, bias: UnsafeBufferPointer<T>, preactivation: UnsafeMutableBufferPointer<T>?)
    /// `C ← C ⊙ f′(Z)` for an elementwise activation, or `C_i ← S_i ⊙ (C_i − (C_i·S_i))` for
    /// softmax (its Jacobian-vector product): with `C` holding dL/dY this gives dL/dZ. `output`
    /// is the saved `Y = f(Z)`; `input` the saved `Z`, needed by GELU only (else may be empty).
    case activationBackward(Activation, input: UnsafeBufferPointer<T>, output: UnsafeBufferPointer<T>)

    /// How a product carrying this epilogue is divided among threads: by rows only when the
    /// epilogue needs whole rows of `C` (softmax, forward or backward); columns first for a
    /// layer's forward product `Y = X·Wᵀ` (bias and activation), whose columns are rows of `W`,
    /// so that each thread reads only its own rows of `W` — the rows it computed `dW` for and
    /// updated in the optimizer step — rather than every thread reading all of `W` just after
    /// the update wrote it (a 784-256-128-10 step at batch 128 and 2 threads: ratio to the GEMM
    /// floor 1.08–1.10 against 1.12–1.14 dividing by rows, three paired runs); rows first
    /// otherwise.
    var partitionOrder: ProductPartition.Order {
        switch self {
        case .none: .rowsFirst
        case .biasActivation(let activation, _, _): activation == .softmax ? .rowsOnly : .columnsFirst
        case .activationBackward(let activation, _, _): activation == .softmax ? .rowsOnly : .rowsFirst
        }
    }

    /// Applies the epilogue to the block `rows × columns` of `c` (`width` columns in all), row
    /// by row when the block is narrower than `c`. A product whose epilogue needs whole rows
    /// (``partitionOrder`` `.rowsOnly`) only ever passes whole rows.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    func apply(to c: UnsafeMutableBufferPointer<T>, rows: Range<Int>, columns: Range<Int>, width: Int) {
        if columns.count == width { return apply(to: c, first: rows.lowerBound, count: rows.count, columns: width) }
        guard !columns.isEmpty else { return }
        for row in rows {
            let start = row * width + columns.lowerBound
            apply(to: c, elements: start..<(start + columns.count), biasColumns: columns, rows: 1)
        }
    }

    /// Applies the epilogue to rows `first ..< first + count` of `c` (`columns` wide).
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    func apply(to c: UnsafeMutableBufferPointer<T>, first: Int, count: Int, columns: Int) {
        guard count > 0, columns > 0 else { return }
        apply(to: c, elements: (first * columns)..<((first + count) * columns), biasColumns: 0..<columns, rows: count)
    }

    /// The epilogue on `rows` contiguous rows of `c` at `elements`, each covering the columns
    /// `biasColumns` (the bias entries they take).
    @inline(__always)
    private func apply(
        to c: UnsafeMutableBufferPointer<T>, elements range: Range<Int>, biasColumns: Range<Int>, rows: Int
    ) {
        switch self {
        case .none:
            return
        case .biasActivation(let activation, let bias, let preactivation):
            ActivationKernels.biasActivation(
                activation, values: UnsafeMutableBufferPointer(rebasing: c[range]),
                bias: UnsafeBufferPointer(rebasing: bias[biasColumns]),
                preactivation: preactivation.map { UnsafeMutableBufferPointer(rebasing: $0[range]) }, rows: rows,
                columns: biasColumns.count)
        case .activationBackward(let activation, let input, let output):
            ActivationKernels.backward(
                activation, input: input.isEmpty ? input : UnsafeBufferPointer(rebasing: input[range]),
                output: UnsafeBufferPointer(rebasing: output[range]),
                gradient: UnsafeMutableBufferPointer(rebasing: c[range]), rows: rows, columns: biasColumns.count)
        }
    }
}
