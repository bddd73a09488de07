/// The reference backend: plain Swift loops, written to be obviously correct.
///
/// It computes exactly what ``BLASBackend`` computes, one product at a time with no blocking
/// and no reordering beyond the loop order, and is the baseline the benchmark compares with.
/// It runs everywhere, including builds without the `OpenBLAS` trait.
public struct NaiveBackend: Backend {
    /// `"naive"`.
    public var name: String { "naive" }

    /// The naive backend.
    public init() {}

    /// `C ← α·op(A)·op(B) + β·C` by the textbook triple loop (`i`, `j`, then `p` innermost).
    ///
    /// As in BLAS: when `α = 0`, `A` and `B` are not read (`C ← β·C`, so a NaN in them does not
    /// reach `C`); when `β = 0`, `C` is not read (a NaN in it is overwritten).
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func gemm<T: Scalar>(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: T, a: UnsafeBufferPointer<T>, lda: Int,
        b: UnsafeBufferPointer<T>, ldb: Int,
        beta: T, c: UnsafeMutableBufferPointer<T>, ldc: Int
    ) {
        // op(A)[i, p] = transposeA ? A[p, i] : A[i, p]; likewise op(B)[p, j].
        let aRowStride = transposeA ? 1 : lda
        let aColumnStride = transposeA ? lda : 1
        let bRowStride = transposeB ? 1 : ldb
        let bColumnStride = transposeB ? ldb : 1
        if alpha == 0 {
            for i in 0..<m {
                for j in 0..<n { c[i * ldc + j] = beta == 0 ? 0 : beta * c[i * ldc + j] }
            }
            return
        }
        for i in 0..<m {
            for j in 0..<n {
                var sum: T = 0
                for p in 0..<k {
                    sum += a[i * aRowStride + p * aColumnStride] * b[p * bRowStride + j * bColumnStride]
                }
                let old = beta == 0 ? 0 : beta * c[i * ldc + j]
                c[i * ldc + j] = alpha * sum + old
            }
        }
    }

    /// `y ← α·op(A)·x + β·y` by a double loop.
    ///
    /// As in BLAS: when `α = 0`, `A` and `x` are not read; when `β = 0`, `y` is not read.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func gemv<T: Scalar>(
        transposeA: Bool, m: Int, n: Int,
        alpha: T, a: UnsafeBufferPointer<T>, lda: Int,
        x: UnsafeBufferPointer<T>, beta: T, y: UnsafeMutableBufferPointer<T>
    ) {
        let outputs = transposeA ? n : m
        let inner = transposeA ? m : n
        if alpha == 0 {
            for i in 0..<outputs { y[i] = beta == 0 ? 0 : beta * y[i] }
            return
        }
        for i in 0..<outputs {
            var sum: T = 0
            for p in 0..<inner {
                sum += (transposeA ? a[p * lda + i] : a[i * lda + p]) * x[p]
            }
            y[i] = alpha * sum + (beta == 0 ? 0 : beta * y[i])
        }
    }

    /// `y ← α·x + y`.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func axpy<T: Scalar>(alpha: T, x: UnsafeBufferPointer<T>, y: UnsafeMutableBufferPointer<T>) {
        for i in 0..<x.count { y[i] += alpha * x[i] }
    }

    /// `x ← α·x`.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func scale<T: Scalar>(by alpha: T, x: UnsafeMutableBufferPointer<T>) {
        for i in 0..<x.count { x[i] *= alpha }
    }

    /// `Σ_i x_i·y_i`, summed in order.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func dot<T: Scalar>(_ x: UnsafeBufferPointer<T>, _ y: UnsafeBufferPointer<T>) -> T {
        var sum: T = 0
        for i in 0..<x.count { sum += x[i] * y[i] }
        return sum
    }
}
