/// The blocks of a ?gemm `C ← α·op(A)·op(B) + β·C` divided by a ``ProductPartition``: block
/// `b` is one OpenBLAS call on rows × columns of `C`, then the epilogue on that block.
///
/// Rows `i` of `C` need rows `i` of `op(A)` (rows of `A`, or columns when transposed) and columns
/// `j` need columns `j` of `op(B)`; blocks share no output, so no reduction is needed, and each
/// element is the same sum whichever thread computes its block.
struct GEMMBlocks<T: Scalar>: ChunkedWork {
    var partition: ProductPartition
    var transposeA: Bool
    var transposeB: Bool
    var k: Int
    var alpha: T
    var a: UnsafeBufferPointer<T>
    var lda: Int
    var b: UnsafeBufferPointer<T>
    var ldb: Int
    var beta: T
    var c: UnsafeMutableBufferPointer<T>
    var ldc: Int
    var epilogue: UnsafePointer<GEMMEpilogue<T>>

    /// Computes block `chunk` and applies the epilogue to it.
    func run(chunk: Int) {
        let rows = partition.rows(ofBlock: chunk)
        let columns = partition.columns(ofBlock: chunk)
        // Row i of op(A) starts at A[i, 0], or at A[0, i] when A is transposed; column j of
        // op(B) at B[0, j], or at B[j, 0] when B is transposed.
        let aOffset = transposeA ? rows.lowerBound : rows.lowerBound * lda
        let bOffset = transposeB ? columns.lowerBound * ldb : columns.lowerBound
        let cOffset = rows.lowerBound * ldc + columns.lowerBound
        BLAS.gemm(
            transposeA: transposeA, transposeB: transposeB, m: rows.count, n: columns.count, k: k, alpha: alpha,
            a: UnsafeBufferPointer(rebasing: a[aOffset...]), lda: lda,
            b: UnsafeBufferPointer(rebasing: b[bOffset...]), ldb: ldb, beta: beta,
            c: UnsafeMutableBufferPointer(rebasing: c[cOffset...]), ldc: ldc)
        epilogue.pointee.apply(to: c, rows: rows, columns: columns, width: partition.n)
    }
}

/// The blocks of a ?gemv `y ← α·op(A)·x + β·y` divided by a ``ProductPartition`` of `y`: block
/// `b` is one OpenBLAS call on a range of `y`, which reads the matching rows of `op(A)` (rows of
/// `A`, or columns when transposed) and all of `x`.
struct GEMVBlocks<T: Scalar>: ChunkedWork {
    var partition: ProductPartition
    var transposeA: Bool
    var m: Int
    var n: Int
    var alpha: T
    var a: UnsafeBufferPointer<T>
    var lda: Int
    var x: UnsafeBufferPointer<T>
    var beta: T
    var y: UnsafeMutableBufferPointer<T>

    /// Computes block `chunk` of `y`.
    func run(chunk: Int) {
        let range = partition.rows(ofBlock: chunk)
        // y_i reads row i of A, or column i (starting at A[0, i]) when A is transposed.
        let aOffset = transposeA ? range.lowerBound : range.lowerBound * lda
        BLAS.gemv(
            transposeA: transposeA, m: transposeA ? m : range.count, n: transposeA ? range.count : n,
            alpha: alpha, a: UnsafeBufferPointer(rebasing: a[aOffset...]), lda: lda, x: x, beta: beta,
            y: UnsafeMutableBufferPointer(rebasing: y[range]))
    }
}
