/// Shape-checked `Matrix` entry points over the buffer kernels.
extension Backend {
    /// `C ← α·op(A)·op(B) + β·C`, checking that `op(A)` is `m × k`, `op(B)` is `k × n` and `C`
    /// is `m × n`. Calls ``gemm(transposeA:transposeB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:)``.
    /// - Throws: ``ShapeError`` naming all three shapes.
    public func gemm<T: Scalar>(
        _ a: Matrix<T>, transposeA: Bool = false, _ b: Matrix<T>, transposeB: Bool = false,
        alpha: T = 1, beta: T = 0, into c: inout Matrix<T>
    ) throws(ShapeError) {
        let (m, k) = transposeA ? (a.columns, a.rows) : (a.rows, a.columns)
        let (kb, n) = transposeB ? (b.columns, b.rows) : (b.rows, b.columns)
        let operands: [ShapeError.Operand] = [
            .init(transposeA ? "Aᵀ" : "A", [m, k]), .init(transposeB ? "Bᵀ" : "B", [kb, n]),
            .init("C", c.shape),
        ]
        guard k == kb else {
            throw ShapeError(operation: "gemm", shapes: operands, reason: "inner dimensions differ (\(k) vs \(kb))")
        }
        guard c.rows == m, c.columns == n else {
            throw ShapeError(operation: "gemm", shapes: operands, reason: "C must be [\(m), \(n)]")
        }
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                c.withUnsafeMutableBufferPointer { pc in
                    gemm(
                        transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                        alpha: alpha, a: pa, lda: a.columns, b: pb, ldb: b.columns,
                        beta: beta, c: pc, ldc: n)
                }
            }
        }
    }

    /// `op(A)·op(B)` as a new matrix.
    /// - Throws: ``ShapeError`` if the inner dimensions differ.
    public func matmul<T: Scalar>(
        _ a: Matrix<T>, transposeA: Bool = false, _ b: Matrix<T>, transposeB: Bool = false
    ) throws(ShapeError) -> Matrix<T> {
        var c = Matrix<T>(
            rows: transposeA ? a.columns : a.rows, columns: transposeB ? b.rows : b.columns)
        try gemm(a, transposeA: transposeA, b, transposeB: transposeB, into: &c)
        return c
    }

    /// `op(A)·x` for a vector `x`.
    /// - Throws: ``ShapeError`` if `x` does not match `op(A)`'s columns.
    public func matvec<T: Scalar>(_ a: Matrix<T>, transposeA: Bool = false, _ x: [T]) throws(ShapeError) -> [T] {
        let (outputs, inner) = transposeA ? (a.columns, a.rows) : (a.rows, a.columns)
        guard x.count == inner else {
            throw ShapeError(
                operation: "gemv", shapes: [.init(transposeA ? "Aᵀ" : "A", [outputs, inner]), .init("x", [x.count])],
                reason: "x must have \(inner) elements")
        }
        var y = [T](repeating: 0, count: outputs)
        a.withUnsafeBufferPointer { pa in
            x.withUnsafeBufferPointer { px in
                y.withUnsafeMutableBufferPointer { py in
                    gemv(transposeA: transposeA, m: a.rows, n: a.columns, alpha: 1, a: pa, lda: a.columns, x: px, beta: 0, y: py)
                }
            }
        }
        return y
    }
}
