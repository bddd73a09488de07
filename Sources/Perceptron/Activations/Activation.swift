/// A nonlinearity applied after a dense layer, element by element (or row by row for softmax).
///
/// The raw values are the layer kinds of the model file (`perceptron.layers`). Forward and
/// backward passes are in `ActivationKernels.swift`; the `Matrix` entry points are below.
public enum Activation: String, CaseIterable, Sendable {
    /// `f(z) = max(z, 0)`; `f'(z) = 1` for `z > 0`, else `0` (PyTorch's choice at `z = 0`).
    /// The backward pass selects rather than multiplies: `dL/dz = f(z) ≤ 0 ? 0 : dL/dy`, so a
    /// NaN or ±∞ upstream gradient at a dead unit gives 0, as in PyTorch.
    case relu
    /// `f(z) = z` for `z > 0`, else `0.01·z`; `f'(z) = 1` or `0.01`.
    case leakyReLU = "leaky_relu"
    /// `σ(z) = 1 / (1 + e^(−z))`; `σ'(z) = σ(z)(1 − σ(z))`.
    case sigmoid
    /// `tanh(z)`; `tanh'(z) = 1 − tanh²(z)`.
    case tanh
    /// `GELU(z) = z·Φ(z)` with `Φ(z) = (1 + erf(z/√2))/2` (exact erf form, PyTorch's default);
    /// `GELU'(z) = Φ(z) + z·φ(z)`, `φ(z) = e^(−z²/2)/√(2π)`.
    case gelu
    /// Row-wise `S_ij = e^(z_ij) / Σ_l e^(z_il)`, Jacobian `∂S_ij/∂z_ik = S_ij(δ_jk − S_ik)`.
    case softmax

    /// The negative-side slope of ``leakyReLU``: 0.01, PyTorch's default.
    public static let leakyReLUSlope = 0.01

    /// Whether the backward pass needs the activation's input `z` (not only its output):
    /// only GELU, whose derivative cannot be written in terms of `GELU(z)`.
    public var backwardNeedsInput: Bool { self == .gelu }
}

extension Activation {
    /// `Y = f(Z)` as a new matrix of the same shape `[batch, features]`.
    public func forward<T: Scalar>(_ z: Matrix<T>) -> Matrix<T> {
        var y = Matrix<T>(rows: z.rows, columns: z.columns)
        z.withUnsafeBufferPointer { pz in
            y.withUnsafeMutableBufferPointer { py in
                ActivationKernels.forward(self, input: pz, output: py, rows: z.rows, columns: z.columns)
            }
        }
        return y
    }

    /// dL/dZ = dL/dY ⊙ f'(Z) (softmax: the Jacobian-vector product
    /// `dZ_ik = S_ik(dY_ik − Σ_j dY_ij S_ij)`), as a new matrix.
    ///
    /// Shapes: `input` `Z`, `output` `Y = f(Z)` and `upstream` `dL/dY` are all `[batch, features]`.
    /// - Throws: ``ShapeError`` if the three shapes differ.
    public func backward<T: Scalar>(
        input z: Matrix<T>, output y: Matrix<T>, upstream: Matrix<T>
    ) throws(ShapeError) -> Matrix<T> {
        guard z.shape == y.shape, y.shape == upstream.shape else {
            throw ShapeError(
                operation: "Activation.backward",
                shapes: [.init("input", z.shape), .init("output", y.shape), .init("upstream", upstream.shape)],
                reason: "input, output and upstream gradient must have the same shape")
        }
        var result = upstream
        z.withUnsafeBufferPointer { pz in
            y.withUnsafeBufferPointer { py in
                result.withUnsafeMutableBufferPointer { pg in
                    ActivationKernels.backward(
                        self, input: pz, output: py, gradient: pg, rows: z.rows, columns: z.columns)
                }
            }
        }
        return result
    }
}
