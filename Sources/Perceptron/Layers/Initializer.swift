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
    /// Orthogonal (`orthogonal_`, gain 1): `Q·diag(sign(diag R))` from the QR factorisation of a
    /// standard normal matrix (``Matrix/orthogonal(rows:columns:gain:using:)``, LAPACKE); rows or
    /// columns, whichever are fewer, orthonormal.
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
            weight = generator.gaussianMatrix(
                rows: outputSize, columns: inputSize, standardDeviation: (2 / fanIn).squareRoot())
        case .xavier:
            let b = (6 / (fanIn + fanOut)).squareRoot()
            weight = generator.uniformMatrix(rows: outputSize, columns: inputSize, in: -b, b)
        case .xavierNormal:
            weight = generator.gaussianMatrix(
                rows: outputSize, columns: inputSize, standardDeviation: (2 / (fanIn + fanOut)).squareRoot())
        case .orthogonal:
            // ?geqrf/?orgqr fail only for negative sizes, which a layer never has; the zero
            // matrix keeps this initialiser total without a trap.
            weight =
                (try? Matrix<T>.orthogonal(rows: outputSize, columns: inputSize, using: &generator))
                ?? Matrix(rows: outputSize, columns: inputSize)
        case .pytorch:
            let b = 1 / fanIn.squareRoot()
            weight = generator.uniformMatrix(rows: outputSize, columns: inputSize, in: -b, b)
            for i in 0..<outputSize { bias[i] = generator.uniform(-b, b) }
        }
        return (weight, bias)
    }
}
