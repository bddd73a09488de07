/// A nonlinearity applied element by element (or row by row for softmax), with PyTorch's
/// definitions and defaults.
///
/// ``kind`` is the model file's layer kind (`perceptron.layers`); an activation whose arguments
/// differ from PyTorch's defaults is written with them in parentheses (``Layer/spec``,
/// e.g. `leaky_relu(0.1)`). Forward and backward passes are in `ActivationKernels.swift`; the
/// `Matrix` entry points are below.
public enum Activation: Sendable, Hashable {
    /// `f(z) = max(z, 0)`; `f'(z) = 1` for `z > 0`, else `0` (PyTorch's choice at `z = 0`).
    /// The backward pass selects rather than multiplies: `dL/dz = f(z) ≤ 0 ? 0 : dL/dy`, so a
    /// NaN or ±∞ upstream gradient at a dead unit gives 0, as in PyTorch.
    case relu
    /// `nn.LeakyReLU(negative_slope)`: `f(z) = z` for `z > 0`, else `s·z`; `f'(z) = 1` or `s`
    /// (taken from the sign of `z`, as PyTorch does). Default `s` 0.01.
    case leakyReLU(negativeSlope: Double = 0.01)
    /// `σ(z) = 1 / (1 + e^(−z))`; `σ'(z) = σ(z)(1 − σ(z))`.
    case sigmoid
    /// `tanh(z)`; `tanh'(z) = 1 − tanh²(z)`.
    case tanh
    /// `GELU(z) = z·Φ(z)` with `Φ(z) = (1 + erf(z/√2))/2` (exact erf form, PyTorch's default);
    /// `GELU'(z) = Φ(z) + z·φ(z)`, `φ(z) = e^(−z²/2)/√(2π)`.
    case gelu
    /// Row-wise `S_ij = e^(z_ij) / Σ_l e^(z_il)`, Jacobian `∂S_ij/∂z_ik = S_ij(δ_jk − S_ik)`.
    case softmax
    /// `nn.SiLU`: `f(z) = z·σ(z)`; `f'(z) = σ(z)·(1 + z·(1 − σ(z)))`.
    case silu
    /// `nn.Softplus(beta, threshold)`: `f(z) = log(1 + e^(β·z))/β`, and `z` where `β·z > threshold`;
    /// `f'(z) = σ(β·z)`, and 1 where `β·z > threshold`. Defaults β 1, threshold 20.
    case softplus(beta: Double = 1, threshold: Double = 20)
    /// `nn.ELU(alpha)`: `f(z) = z` for `z > 0`, else `α·(e^z − 1)`; `f'(z) = 1` or `α·e^z`.
    /// Default α 1.
    case elu(alpha: Double = 1)

    /// One activation of each kind, with PyTorch's default arguments.
    public static let allCases: [Activation] = [
        .relu, .leakyReLU(), .sigmoid, .tanh, .gelu, .softmax, .silu, .softplus(), .elu(),
    ]

    /// The model file's layer kind: `relu`, `leaky_relu`, `sigmoid`, `tanh`, `gelu`, `softmax`,
    /// `silu`, `softplus`, `elu`.
    public var kind: String {
        switch self {
        case .relu: "relu"
        case .leakyReLU: "leaky_relu"
        case .sigmoid: "sigmoid"
        case .tanh: "tanh"
        case .gelu: "gelu"
        case .softmax: "softmax"
        case .silu: "silu"
        case .softplus: "softplus"
        case .elu: "elu"
        }
    }

    /// The arguments in the order the model file lists them (PyTorch's constructor order).
    public var arguments: [Double] {
        switch self {
        case .leakyReLU(let s): [s]
        case .softplus(let beta, let threshold): [beta, threshold]
        case .elu(let alpha): [alpha]
        case .relu, .sigmoid, .tanh, .gelu, .softmax, .silu: []
        }
    }

    /// The kind's argument names, in order (PyTorch's).
    public static func argumentNames(of kind: String) -> [String]? {
        switch kind {
        case "relu", "sigmoid", "tanh", "gelu", "softmax", "silu": []
        case "leaky_relu": ["negative_slope"]
        case "softplus": ["beta", "threshold"]
        case "elu": ["alpha"]
        default: nil
        }
    }

    /// The activation of model-file kind `kind` with `arguments` (as many as the kind takes, or
    /// fewer: the rest take PyTorch's defaults).
    /// - Throws: ``ModuleSpecError`` for an unknown kind, too many arguments, or a value PyTorch
    ///   would not accept (a non-finite number; β = 0).
    public init(kind: String, arguments: [Double] = []) throws(ModuleSpecError) {
        guard let names = Activation.argumentNames(of: kind) else { throw .unknownKind(kind) }
        guard arguments.count <= names.count else {
            throw .argumentCount(kind: kind, expected: names.count, found: arguments.count)
        }
        for (name, value) in zip(names, arguments) where !value.isFinite {
            throw .invalidArgument(kind: kind, name: name, value: value, expected: "a finite number")
        }
        func argument(_ i: Int, _ fallback: Double) -> Double { i < arguments.count ? arguments[i] : fallback }
        switch kind {
        case "relu": self = .relu
        case "leaky_relu": self = .leakyReLU(negativeSlope: argument(0, 0.01))
        case "sigmoid": self = .sigmoid
        case "tanh": self = .tanh
        case "gelu": self = .gelu
        case "softmax": self = .softmax
        case "silu": self = .silu
        case "softplus":
            let beta = argument(0, 1)
            guard beta != 0 else {
                throw .invalidArgument(kind: kind, name: "beta", value: beta, expected: "a non-zero number")
            }
            self = .softplus(beta: beta, threshold: argument(1, 20))
        default: self = .elu(alpha: argument(0, 1))
        }
    }

    /// Whether the backward pass needs the activation's input `z` (not only its output): GELU,
    /// SiLU, softplus, ELU, and LeakyReLU with a negative slope (whose output's sign no longer
    /// gives the input's).
    public var backwardNeedsInput: Bool {
        switch self {
        case .gelu, .silu, .softplus, .elu: true
        case .leakyReLU(let s): !(s >= 0)
        case .relu, .sigmoid, .tanh, .softmax: false
        }
    }
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
