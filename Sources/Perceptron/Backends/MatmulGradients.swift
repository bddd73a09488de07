/// Gradients of matrix products, each one GEMM with transpose flags (no transpose is
/// materialised). The formulas are those of `seeds/mlp-standard-derivatives.txt`.
///
/// For `Y = A·X` with upstream gradient `G = dL/dY` (einsum `ij,kj->ik` and `ik,ij->kj`):
/// `dL/dA = G·Xᵀ` and `dL/dX = Aᵀ·G`. For the batch-first layer `Y = X·Wᵀ + b`, `W` stored
/// `[out, in]`: `dW = Gᵀ·X`, `dX = G·W`, `db = Σ_rows G` (column sums of `G`).
public enum MatmulGradients {
    /// dL/dA = G·Xᵀ for `Y = A·X`: one ?gemm, B transposed.
    /// Shapes: `G` `[m, p]`, `X` `[n, p]` → `[m, n]`.
    public static func leftOperand<T: Scalar>(
        upstream g: Matrix<T>, right x: Matrix<T>, backend: any Backend
    ) throws(ShapeError) -> Matrix<T> {
        try backend.matmul(g, x, transposeB: true)
    }

    /// dL/dX = Aᵀ·G for `Y = A·X`: one ?gemm, A transposed.
    /// Shapes: `A` `[m, n]`, `G` `[m, p]` → `[n, p]`.
    public static func rightOperand<T: Scalar>(
        upstream g: Matrix<T>, left a: Matrix<T>, backend: any Backend
    ) throws(ShapeError) -> Matrix<T> {
        try backend.matmul(a, transposeA: true, g)
    }

    /// dW = Gᵀ·X for `Y = X·Wᵀ + b`: one ?gemm, A transposed.
    /// Shapes: `G` `[batch, out]`, `X` `[batch, in]` → `[out, in]`.
    public static func denseWeight<T: Scalar>(
        upstream g: Matrix<T>, input x: Matrix<T>, backend: any Backend
    ) throws(ShapeError) -> Matrix<T> {
        try backend.matmul(g, transposeA: true, x)
    }

    /// dX = G·W for `Y = X·Wᵀ + b`: one ?gemm, no transposes.
    /// Shapes: `G` `[batch, out]`, `W` `[out, in]` → `[batch, in]`.
    public static func denseInput<T: Scalar>(
        upstream g: Matrix<T>, weight w: Matrix<T>, backend: any Backend
    ) throws(ShapeError) -> Matrix<T> {
        try backend.matmul(g, w)
    }

    /// db = Σ_rows G = Gᵀ·1 for `Y = X·Wᵀ + b`: one ?gemv, A transposed.
    /// Shapes: `G` `[batch, out]` → `[out]`.
    public static func denseBias<T: Scalar>(upstream g: Matrix<T>, backend: any Backend) -> [T] {
        let ones = [T](repeating: 1, count: g.rows)
        // The shapes agree by construction: ones has g.rows elements.
        return (try? backend.matvec(g, transposeA: true, ones)) ?? []
    }
}
