/// A ?gemm computed as two row blocks of `C`, one on the calling thread and one on
/// ``HelperThread``, each a single-threaded OpenBLAS call.
///
/// Rows `i ..< j` of `C = α·op(A)·op(B) + β·C` need rows `i ..< j` of `op(A)` (rows of `A`, or
/// columns when transposed) and all of `op(B)`; the blocks share no output, so no reduction is
/// needed. Measured on the GEMMs of a 784-256-128-10 training step at batch 128 and 256 (2 cores,
/// OpenBLAS 0.3.21; `Benchmarks/experiments/split-shapes.c`): 0.66–0.81 of the time of one call
/// with OpenBLAS's own 2 threads when the machine was in its slower state (e.g. `Gᵀ·X` for the
/// first layer's `dW`, 256×784×128: 0.212 against 0.287 ms), 0.67–1.00 in its faster one.
/// Column blocks were slower than row blocks for every shape in the slower state, and faster
/// for one (`X·W₁ᵀ`) in the faster state.
///
/// Each element of `C` is the same sum whichever thread runs its block, so the result does not
/// depend on timing; it may differ in the last bits from OpenBLAS's own threading or from one
/// single-threaded call, as those differ from each other.
struct RowSplitGEMM {
    var transposeA: Bool
    var transposeB: Bool
    var m: Int
    var n: Int
    var k: Int
    /// `α` and `β` widened to `Double` (exact for `Float`).
    var alpha: Double
    var beta: Double
    var a: UnsafeRawPointer
    var aCount: Int
    var lda: Int
    var b: UnsafeRawPointer
    var bCount: Int
    var ldb: Int
    var c: UnsafeMutableRawPointer
    var cCount: Int
    var ldc: Int
    var precision: Precision
    /// The first row of the second block.
    var splitRow: Int
    /// The ``GEMMEpilogue`` (of this precision) to apply to each block's rows right after it,
    /// on the same thread, or nil.
    var epilogue: UnsafeRawPointer?

    /// Products this size or larger, with at least ``minimumRows`` rows, are split: OpenBLAS's
    /// own threshold for using more than one thread (`m·n·k` of 65,536 × 4).
    static let minimumMultiplyAdds = 262_144
    /// Fewer rows than this stay whole: blocks of under 16 rows leave OpenBLAS's kernels little
    /// to work with.
    static let minimumRows = 32

    /// Whether a product of this shape is worth splitting.
    static func isWorthSplitting(m: Int, n: Int, k: Int) -> Bool {
        let (mn, overflowMN) = m.multipliedReportingOverflow(by: n)
        let (mnk, overflow) = mn.multipliedReportingOverflow(by: k)
        return m >= minimumRows && k > 0 && (overflowMN || overflow || mnk >= minimumMultiplyAdds)
    }

    /// The first row of the second block: the middle, rounded to a multiple of 8 (whole
    /// register blocks of OpenBLAS's kernels in both halves).
    static func splitRow(m: Int) -> Int {
        (m / 2 + 4) / 8 * 8
    }

    /// Computes `C` in two blocks on this thread and `helper` (OpenBLAS single-threaded: see
    /// ``BLAS/withOpenBLASSingleThreaded(_:)``), each followed by `epilogue` on its rows.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    static func run<T: Scalar>(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: T, a: UnsafeBufferPointer<T>, lda: Int,
        b: UnsafeBufferPointer<T>, ldb: Int,
        beta: T, c: UnsafeMutableBufferPointer<T>, ldc: Int, helper: HelperThread,
        epilogue: UnsafePointer<GEMMEpilogue<T>>? = nil
    ) {
        guard let aBase = a.baseAddress, let bBase = b.baseAddress, let cBase = c.baseAddress else {
            // An empty operand (not a size worth splitting): one call.
            BLAS.gemm(
                transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b,
                ldb: ldb, beta: beta, c: c, ldc: ldc)
            epilogue?.pointee.apply(to: c, first: 0, count: m, columns: n)
            return
        }
        var job = RowSplitGEMM(
            transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
            alpha: Double(alpha), beta: Double(beta),
            a: UnsafeRawPointer(aBase), aCount: a.count, lda: lda,
            b: UnsafeRawPointer(bBase), bCount: b.count, ldb: ldb,
            c: UnsafeMutableRawPointer(cBase), cCount: c.count, ldc: ldc,
            precision: T.precision, splitRow: splitRow(m: m), epilogue: epilogue.map { UnsafeRawPointer($0) })
        withUnsafeMutablePointer(to: &job) { context in
            helper.run(chunks: 2, context: UnsafeMutableRawPointer(context)) { raw, block in
                raw.assumingMemoryBound(to: RowSplitGEMM.self).pointee.run(block: block)
            }
        }
    }

    /// Computes block 0 (rows `0 ..< splitRow`) or block 1 (rows `splitRow ..< m`).
    func run(block: Int) {
        switch precision {
        case .float32: run(Float.self, block: block)
        case .float64: run(Double.self, block: block)
        }
    }

    private func run<T: Scalar>(_: T.Type, block: Int) {
        let first = block == 0 ? 0 : splitRow
        let rows = block == 0 ? splitRow : m - splitRow
        // Row i of op(A) starts at A[i, 0], or at A[0, i] when A is transposed.
        let aOffset = transposeA ? first : first * lda
        let cOffset = first * ldc
        BLAS.gemm(
            transposeA: transposeA, transposeB: transposeB, m: rows, n: n, k: k,
            alpha: T(alpha),
            a: UnsafeBufferPointer(start: a.assumingMemoryBound(to: T.self) + aOffset, count: aCount - aOffset),
            lda: lda,
            b: UnsafeBufferPointer(start: b.assumingMemoryBound(to: T.self), count: bCount), ldb: ldb,
            beta: T(beta),
            c: UnsafeMutableBufferPointer(start: c.assumingMemoryBound(to: T.self) + cOffset, count: cCount - cOffset),
            ldc: ldc)
        if let epilogue {
            epilogue.assumingMemoryBound(to: GEMMEpilogue<T>.self).pointee.apply(
                to: UnsafeMutableBufferPointer(start: c.assumingMemoryBound(to: T.self), count: cCount), first: first,
                count: rows, columns: n)
        }
    }
}
