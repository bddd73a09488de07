/// The numerical kernels a network runs on: GEMM with transpose flags, plus the level-1/2
/// operations the layers and optimizers need.
///
/// Two implementations compute the same results: ``BLASBackend`` (OpenBLAS) and
/// ``NaiveBackend`` (plain Swift loops, the reference). All matrices are row-major; a leading
/// dimension is the number of columns of the matrix *as stored*. The buffer-level requirements
/// do no shape checking: they are the hot path. The `Matrix` methods in `Backend+Matrix.swift`
/// check shapes and throw ``ShapeError``.
public protocol Backend: Sendable {
    /// A short name for reports: `"blas"` or `"naive"`.
    var name: String { get }

    /// How many threads this backend's work may use, the calling thread included; the
    /// optimizer update of a network on this backend uses as many (see
    /// ``Optimizer/update(_:gradients:threads:)``). 1 unless the backend says otherwise.
    var threads: Int { get }

    /// `C ← α·op(A)·op(B) + β·C`, where `op(A)` is `m × k`, `op(B)` is `k × n`, `C` is `m × n`.
    ///
    /// `op(X)` is `Xᵀ` when the flag is set; a transposed operand is read in place, never copied.
    /// When `β = 0`, `C` is not read (NaN in `C` does not propagate).
    func gemm<T: Scalar>(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: T, a: UnsafeBufferPointer<T>, lda: Int,
        b: UnsafeBufferPointer<T>, ldb: Int,
        beta: T, c: UnsafeMutableBufferPointer<T>, ldc: Int)

    /// ``gemm(transposeA:transposeB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:)`` (with `ldc = n`),
    /// then `epilogue` on every row of `C`; a backend may apply it block by block as the
    /// product finishes rows. By default, on all rows after the product.
    func gemm<T: Scalar>(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: T, a: UnsafeBufferPointer<T>, lda: Int,
        b: UnsafeBufferPointer<T>, ldb: Int,
        beta: T, c: UnsafeMutableBufferPointer<T>, epilogue: GEMMEpilogue<T>)

    /// `y ← α·op(A)·x + β·y`, where `A` is stored `m × n` and `op(A)` is `Aᵀ` when `transposeA`.
    /// When `β = 0`, `y` is not read.
    func gemv<T: Scalar>(
        transposeA: Bool, m: Int, n: Int,
        alpha: T, a: UnsafeBufferPointer<T>, lda: Int,
        x: UnsafeBufferPointer<T>, beta: T, y: UnsafeMutableBufferPointer<T>)

    /// `y ← α·x + y` over `x.count` elements.
    func axpy<T: Scalar>(alpha: T, x: UnsafeBufferPointer<T>, y: UnsafeMutableBufferPointer<T>)

    /// `x ← α·x`.
    func scale<T: Scalar>(by alpha: T, x: UnsafeMutableBufferPointer<T>)

    /// `Σ_i x_i·y_i` over `x.count` elements.
    func dot<T: Scalar>(_ x: UnsafeBufferPointer<T>, _ y: UnsafeBufferPointer<T>) -> T
}

extension Backend {
    /// 1: the calling thread only.
    public var threads: Int { 1 }

    /// The product, then the epilogue on all rows, on this thread.
    public func gemm<T: Scalar>(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: T, a: UnsafeBufferPointer<T>, lda: Int,
        b: UnsafeBufferPointer<T>, ldb: Int,
        beta: T, c: UnsafeMutableBufferPointer<T>, epilogue: GEMMEpilogue<T>
    ) {
        gemm(
            transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
            b: b, ldb: ldb, beta: beta, c: c, ldc: n)
        epilogue.apply(to: c, first: 0, count: m, columns: n)
    }
}
