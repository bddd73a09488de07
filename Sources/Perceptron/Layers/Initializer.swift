/// How a dense layer's weights (and biases) are drawn. `fan_in` is `inputSize`, `fan_out` is
/// `outputSize`; biases are zero except for ``pytorch``.
///
/// The CLI's `--initializer he|xavier|orthogonal|pytorch` uses the raw values.
public enum Initializer: String, CaseIterable, Sendable {
    /// He/Kaiming uniform for ReLU (`kaiming_uniform_(w, nonlinearity="relu")`):
    /// `W ~ U(−b, b)`, `b = √2·√(3/fan_in) = √(6/fan_in)`.
    case he
    /// He/Kaiming normal for ReLU (`kaiming_normal_`): `W ~ N(0, 2/fan_in)`.
    case heNormal = "he-normal"
    /// Xavier/Glorot uniform (`xavier_uniform_`): `W ~ U(−b, b)`, `b = √(6/(fan_in + fan_out))`.
    case xavier
    /// Xavier/Glorot normal (`xavier_normal_`): `W ~ N(0, 2/(fan_in + fan_out))`.
    case xavierNormal = "xavier-normal"
    /// Orthogonal (`orthogonal_`, gain 1): the Q factor of the QR decomposition of a standard
    /// normal matrix, sign-corrected so that the factorisation is unique; rows (or columns,
    /// whichever are fewer) orthonormal.
    case orthogonal
    /// PyTorch's default `nn.Linear` scheme: `W ~ U(−1/√fan_in, 1/√fan_in)` and
    /// `b ~ U(−1/√fan_in, 1/√fan_in)`.
    case pytorch

    /// A weight `[outputSize, inputSize]` and bias `[outputSize]` drawn from `generator`.
    /// Weights are drawn row by row, then the bias.
    public func parameters<T: Scalar>(
        inputSize: Int, outputSize: Int, using generator: inout SeededGenerator
    ) -> (weight: Matrix<T>, bias: [T]) {
        let fanIn = T(max(inputSize, 1))
        let fanOut = T(max(outputSize, 1))
        var bias = [T](repeating: 0, count: outputSize)
        let weight: Matrix<T>
        switch self {
        case .he:
            let b = (6 / fanIn).squareRoot()
            weight = generator.uniformMatrix(rows: outputSize, columns: inputSize, in: -b, b)
        case .heNormal:
            weight = generator.gaussianMatrix(rows: outputSize, columns: inputSize, standardDeviation: (2 / fanIn).squareRoot())
        case .xavier:
            let b = (6 / (fanIn + fanOut)).squareRoot()
            weight = generator.uniformMatrix(rows: outputSize, columns: inputSize, in: -b, b)
        case .xavierNormal:
            weight = generator.gaussianMatrix(
                rows: outputSize, columns: inputSize, standardDeviation: (2 / (fanIn + fanOut)).squareRoot())
        case .orthogonal:
            weight = Initializer.orthogonalMatrix(rows: outputSize, columns: inputSize, using: &generator)
        case .pytorch:
            let b = 1 / fanIn.squareRoot()
            weight = generator.uniformMatrix(rows: outputSize, columns: inputSize, in: -b, b)
            for i in 0..<outputSize { bias[i] = generator.uniform(-b, b) }
        }
        return (weight, bias)
    }

    /// A `rows × columns` matrix with orthonormal rows (if `rows ≤ columns`) or columns.
    ///
    /// Householder-free modified Gram–Schmidt on a standard normal `[max, min]` matrix `A`,
    /// computed in `Double`: `A = Q·R` with `diag(R) > 0` (the sign convention that makes `Q`
    /// Haar-distributed, as `torch.nn.init.orthogonal_` does with `Q·sign(diag(R))`); the result
    /// is `Q` or `Qᵀ`.
    static func orthogonalMatrix<T: Scalar>(rows: Int, columns: Int, using generator: inout SeededGenerator) -> Matrix<T> {
        let tall = max(rows, columns)
        let wide = min(rows, columns)
        guard wide > 0 else { return Matrix(rows: rows, columns: columns) }
        // q[c] is column c of A, length `tall`.
        var q: [[Double]] = (0..<wide).map { _ in (0..<tall).map { _ in generator.gaussian() } }
        for c in 0..<wide {
            // Two passes of Gram–Schmidt ("twice is enough") keep Q orthogonal to rounding.
            for _ in 0..<2 {
                for p in 0..<c {
                    var dot = 0.0
                    for i in 0..<tall { dot += q[p][i] * q[c][i] }
                    for i in 0..<tall { q[c][i] -= dot * q[p][i] }
                }
            }
            var norm = 0.0
            for i in 0..<tall { norm += q[c][i] * q[c][i] }
            norm = norm.squareRoot()
            if norm == 0 { norm = 1 }
            for i in 0..<tall { q[c][i] /= norm }
        }
        return Matrix(rows: rows, columns: columns) { i, j in
            // rows ≥ columns: W = Q (tall); else W = Qᵀ.
            rows >= columns ? T(q[j][i]) : T(q[i][j])
        }
    }
}
