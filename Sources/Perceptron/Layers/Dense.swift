/// A fully connected layer `Y = X·Wᵀ + b`, with `W` stored `[out, in]` like PyTorch's `nn.Linear`.
///
/// Shapes: `X` `[batch, in]`, `W` `[out, in]`, `b` `[out]`, `Y` `[batch, out]`.
public struct Dense<T: Scalar>: Sendable, Equatable {
    /// `W`, `[outputSize, inputSize]`.
    public var weight: Matrix<T>
    /// `b`, `[outputSize]`.
    public var bias: [T]
    /// dL/dW from the last backward pass, `[outputSize, inputSize]`.
    public var weightGradient: Matrix<T>
    /// dL/db from the last backward pass, `[outputSize]`.
    public var biasGradient: [T]

    /// Number of input features (`W`'s columns).
    public var inputSize: Int { weight.columns }
    /// Number of output features (`W`'s rows).
    public var outputSize: Int { weight.rows }
    /// `out·in + out`.
    public var parameterCount: Int { weight.count + bias.count }

    /// A layer with the given parameters and zero gradients.
    /// - Throws: ``ShapeError`` if `bias.count != weight.rows`.
    public init(weight: Matrix<T>, bias: [T]) throws(ShapeError) {
        guard bias.count == weight.rows else {
            throw ShapeError(
                operation: "Dense.init", shapes: [.init("weight", weight.shape), .init("bias", [bias.count])],
                reason: "bias must have one element per weight row (\(weight.rows))")
        }
        self.weight = weight
        self.bias = bias
        self.weightGradient = Matrix(rows: weight.rows, columns: weight.columns)
        self.biasGradient = [T](repeating: 0, count: bias.count)
    }

    /// A layer of fresh parameters drawn by `initializer` (see ``Initializer``).
    public init(inputSize: Int, outputSize: Int, initializer: Initializer = .he, using generator: inout SeededGenerator)
    {
        let (w, b): (Matrix<T>, [T]) = initializer.parameters(
            inputSize: inputSize, outputSize: outputSize, using: &generator)
        self.weight = w
        self.bias = b
        self.weightGradient = Matrix(rows: outputSize, columns: inputSize)
        self.biasGradient = [T](repeating: 0, count: outputSize)
    }

    /// `Y = X·Wᵀ + b`: the network's own dense step (`DenseStep.forward`, one ?gemm with B
    /// transposed, the bias added as its epilogue) on one matrix.
    /// Shapes: `X` `[batch, in]` → `[batch, out]`.
    /// - Throws: ``ShapeError`` if `X` has not `inputSize` columns.
    public func forward(_ x: Matrix<T>, backend: any Backend = defaultBackend()) throws(ShapeError) -> Matrix<T> {
        guard x.columns == inputSize else {
            throw ShapeError(
                operation: "Dense.forward", shapes: [.init("input", x.shape), .init("weight", weight.shape)],
                reason: "input must have \(inputSize) columns")
        }
        var y = Matrix<T>(rows: x.rows, columns: outputSize)
        guard x.rows > 0 else { return y }
        x.withUnsafeBufferPointer { px in
            weight.withUnsafeBufferPointer { pw in
                bias.withUnsafeBufferPointer { pb in
                    y.withUnsafeMutableBufferPointer { py in
                        DenseStep.forward(
                            backend: backend, input: px, batch: x.rows, weight: pw, bias: pb, inputSize: inputSize,
                            outputSize: outputSize, output: py, activation: nil, preactivation: nil)
                    }
                }
            }
        }
        return y
    }

    /// Backward pass for upstream `G = dL/dY`; overwrites ``weightGradient`` and ``biasGradient``
    /// and returns dL/dX: the network's own dense step (`DenseStep.backward`) on matrices.
    ///
    /// `dW = Gᵀ·X` (one ?gemm, A transposed), `db = Gᵀ·1` (one ?gemv), `dX = G·W` (one ?gemm).
    /// Shapes: `X` `[batch, in]`, `G` `[batch, out]` → `[batch, in]`.
    /// - Throws: ``ShapeError`` if the shapes do not match the layer.
    public mutating func backward(
        input x: Matrix<T>, upstream g: Matrix<T>, backend: any Backend = defaultBackend()
    ) throws(ShapeError) -> Matrix<T> {
        guard x.rows == g.rows, g.columns == outputSize, x.columns == inputSize else {
            throw ShapeError(
                operation: "Dense.backward",
                shapes: [.init("input", x.shape), .init("upstream", g.shape), .init("weight", weight.shape)],
                reason: "upstream must be [batch, \(outputSize)] with the input's batch")
        }
        var dX = Matrix<T>(rows: x.rows, columns: inputSize)
        let ones = [T](repeating: 1, count: x.rows)
        let (inputSize, outputSize, rows) = (self.inputSize, self.outputSize, x.rows)
        let w = weight
        weightGradient.withUnsafeMutableBufferPointer { dw in
            biasGradient.withUnsafeMutableBufferPointer { db in
                x.withUnsafeBufferPointer { px in
                    g.withUnsafeBufferPointer { pg in
                        w.withUnsafeBufferPointer { pw in
                            ones.withUnsafeBufferPointer { po in
                                dX.withUnsafeMutableBufferPointer { pdx in
                                    DenseStep.backward(
                                        backend: backend, input: px, upstream: pg, batch: rows, weight: pw,
                                        inputSize: inputSize, outputSize: outputSize, ones: po, weightGradient: dw,
                                        biasGradient: db, inputGradient: pdx, inputGradientEpilogue: .none)
                                }
                            }
                        }
                    }
                }
            }
        }
        return dX
    }
}
