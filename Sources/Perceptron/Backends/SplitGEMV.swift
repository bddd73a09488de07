/// A ?gemv computed as two blocks of `y`, one on the calling thread and one on
/// ``HelperThread``, each a single-threaded OpenBLAS call: ``RowSplitGEMM``'s counterpart.
///
/// `y_i` needs row `i` of `op(A)` (a row of `A`, or a column when transposed) and all of `x`.
/// Each `y_i` is the same sum whichever thread runs its block, so the result does not depend
/// on timing.
struct SplitGEMV {
    var transposeA: Bool
    var m: Int
    var n: Int
    /// `α` and `β` widened to `Double` (exact for `Float`).
    var alpha: Double
    var beta: Double
    var a: UnsafeRawPointer
    var aCount: Int
    var lda: Int
    var x: UnsafeRawPointer
    var xCount: Int
    var y: UnsafeMutableRawPointer
    var precision: Precision
    /// The first element of `y` in the second block.
    var split: Int

    /// Products with at least this many elements of `A` are split (below it, waking the helper
    /// costs about what it saves).
    static let minimumElements = 65_536

    /// Whether a product of this shape is worth splitting.
    static func isWorthSplitting(transposeA: Bool, m: Int, n: Int) -> Bool {
        let (elements, overflow) = m.multipliedReportingOverflow(by: n)
        return (overflow || elements >= minimumElements) && (transposeA ? n : m) >= RowSplitGEMM.minimumRows
    }

    /// Computes `y` in two blocks on this thread and `helper`.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    static func run<T: Scalar>(
        transposeA: Bool, m: Int, n: Int, alpha: T, a: UnsafeBufferPointer<T>, lda: Int,
        x: UnsafeBufferPointer<T>, beta: T, y: UnsafeMutableBufferPointer<T>, helper: HelperThread
    ) {
        guard let aBase = a.baseAddress, let xBase = x.baseAddress, let yBase = y.baseAddress else {
            // An empty operand (not a size worth splitting): one call.
            BLAS.gemv(transposeA: transposeA, m: m, n: n, alpha: alpha, a: a, lda: lda, x: x, beta: beta, y: y)
            return
        }
        var job = SplitGEMV(
            transposeA: transposeA, m: m, n: n, alpha: Double(alpha), beta: Double(beta),
            a: UnsafeRawPointer(aBase), aCount: a.count, lda: lda,
            x: UnsafeRawPointer(xBase), xCount: x.count, y: UnsafeMutableRawPointer(yBase),
            precision: T.precision, split: RowSplitGEMM.splitRow(m: transposeA ? n : m))
        withUnsafeMutablePointer(to: &job) { context in
            helper.run(chunks: 2, context: UnsafeMutableRawPointer(context)) { raw, block in
                raw.assumingMemoryBound(to: SplitGEMV.self).pointee.run(block: block)
            }
        }
    }

    /// Computes block 0 (`y[0 ..< split]`) or block 1 (the rest).
    func run(block: Int) {
        switch precision {
        case .float32: run(Float.self, block: block)
        case .float64: run(Double.self, block: block)
        }
    }

    private func run<T: Scalar>(_: T.Type, block: Int) {
        let outputs = transposeA ? n : m
        let first = block == 0 ? 0 : split
        let count = block == 0 ? split : outputs - split
        // y_i reads row i of A, or column i (starting at A[0, i]) when A is transposed.
        let aOffset = transposeA ? first : first * lda
        BLAS.gemv(
            transposeA: transposeA, m: transposeA ? m : count, n: transposeA ? count : n, alpha: T(alpha),
            a: UnsafeBufferPointer(start: a.assumingMemoryBound(to: T.self) + aOffset, count: aCount - aOffset),
            lda: lda, x: UnsafeBufferPointer(start: x.assumingMemoryBound(to: T.self), count: xCount),
            beta: T(beta), y: UnsafeMutableBufferPointer(start: y.assumingMemoryBound(to: T.self) + first, count: count))
    }
}
