/// A `linear` module, with the activation that follows it fused in when there is one.
///
/// Forward: `Y = f(X·Wᵀ + b)`: one ?gemm with B transposed (one ?gemv `y = W·x` for a single
/// sample), then `Z = Y + b`, `Y ← f(Z)` in one pass as the product's ``GEMMEpilogue``, on each
/// block of rows as it is finished (`Z` kept when f's backward needs it).
///
/// Backward from `G = dL/dY`: `G ← G ⊙ f′(Z)` (unless the step above runs it as the epilogue
/// of its `dX` product), then `dW = Gᵀ·X` (?gemm, A transposed), `db = Gᵀ·1` (?gemv) and
/// `dX = G·W` (?gemm). When the step below is also a dense step with a fused activation, that
/// activation's backward `dX ← dX ⊙ f′₋₁` runs as the epilogue of this `dX` product.
struct DenseStep: Sendable {
    /// The activation of a dense step whose backward another step's product applies.
    struct FusedActivation: Sendable {
        var activation: Activation
        /// The saved `Z` of that step (when the activation's backward needs it).
        var preactivationUnit: Int?
        /// The saved `Y = f(Z)` of that step.
        var valueUnit: Int
    }

    var layout: StepLayout
    var inputSize: Int
    var outputSize: Int
    /// `W` `[outputSize, inputSize]` row-major at `weightOffset`, then `b` `[outputSize]`.
    var weightOffset: Int
    /// The activation fused into the forward product's epilogue.
    var activation: Activation?
    /// Where `Z = X·Wᵀ + b` is saved, when the fused activation's backward needs it.
    var preactivationUnit: Int?
    /// The dense step below whose activation backward this step's `dX` product applies.
    var fusedBelow: FusedActivation?
    /// Whether the step above applies this step's activation backward (see ``fusedBelow``).
    var activationBackwardRunsAbove = false

    var biasOffset: Int { weightOffset + inputSize * outputSize }
    var parameterCount: Int { inputSize * outputSize + outputSize }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    func forward<T: Scalar>(_ io: StepIO<T>, _ c: StepContext<T>) {
        Self.forward(
            backend: c.backend, input: io.input, batch: c.batch, weight: c.parameters(weightOffset, inputSize * outputSize),
            bias: c.parameters(biasOffset, outputSize), inputSize: inputSize, outputSize: outputSize, output: io.output,
            activation: activation, preactivation: preactivationUnit.map { c.unit($0, width: outputSize) })
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    func backward<T: Scalar>(_ io: StepIO<T>, _ c: StepContext<T>) {
        if let activation, !activationBackwardRunsAbove {
            ActivationKernels.backward(
                activation,
                input: preactivationUnit.map { UnsafeBufferPointer(c.unit($0, width: outputSize)) }
                    ?? UnsafeBufferPointer(start: nil, count: 0),
                output: UnsafeBufferPointer(io.output), gradient: io.outputGradient, rows: c.batch, columns: outputSize)
        }
        var epilogue = GEMMEpilogue<T>.none
        if let below = fusedBelow {
            epilogue = .activationBackward(
                below.activation,
                input: below.preactivationUnit.map { UnsafeBufferPointer(c.unit($0, width: inputSize)) }
                    ?? UnsafeBufferPointer(start: nil, count: 0),
                output: UnsafeBufferPointer(c.unit(below.valueUnit, width: inputSize)))
        }
        Self.backward(
            backend: c.backend, input: io.input, upstream: UnsafeBufferPointer(io.outputGradient), batch: c.batch,
            weight: c.parameters(weightOffset, inputSize * outputSize), inputSize: inputSize, outputSize: outputSize,
            ones: c.ones, weightGradient: c.gradients(weightOffset, inputSize * outputSize),
            biasGradient: c.gradients(biasOffset, outputSize), inputGradient: io.inputGradient,
            inputGradientEpilogue: epilogue)
    }

    /// `Y = f(X·Wᵀ + b)` over buffers (see the type's documentation); `preactivation` receives
    /// `Z` when given. Shared by the network's steps and ``Dense/forward(_:backend:)``.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    static func forward<T: Scalar>(
        backend: any Backend, input x: UnsafeBufferPointer<T>, batch: Int, weight: UnsafeBufferPointer<T>,
        bias: UnsafeBufferPointer<T>, inputSize: Int, outputSize: Int, output y: UnsafeMutableBufferPointer<T>,
        activation: Activation?, preactivation: UnsafeMutableBufferPointer<T>?
    ) {
        if batch == 1 {
            // One sample: y = W·x, one ?gemv (BLAS's GEMM is slow for m = 1).
            backend.gemv(
                transposeA: false, m: outputSize, n: inputSize, alpha: 1, a: weight, lda: inputSize, x: x, beta: 0, y: y)
            ActivationKernels.biasActivation(
                activation, values: y, bias: bias, preactivation: preactivation, rows: 1, columns: outputSize)
        } else {
            backend.gemm(
                transposeA: false, transposeB: true, m: batch, n: outputSize, k: inputSize, alpha: 1, a: x,
                lda: inputSize, b: weight, ldb: inputSize, beta: 0, c: y,
                epilogue: .biasActivation(activation, bias: bias, preactivation: preactivation))
        }
    }

    /// `dW = Gᵀ·X`, `db = Gᵀ·1`, and `dX = G·W` (then `inputGradientEpilogue` on it) when
    /// `inputGradient` is given. Shared by the network's steps and
    /// ``Dense/backward(input:upstream:backend:)``.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    static func backward<T: Scalar>(
        backend: any Backend, input x: UnsafeBufferPointer<T>, upstream g: UnsafeBufferPointer<T>, batch: Int,
        weight: UnsafeBufferPointer<T>, inputSize: Int, outputSize: Int, ones: UnsafeBufferPointer<T>,
        weightGradient: UnsafeMutableBufferPointer<T>, biasGradient: UnsafeMutableBufferPointer<T>,
        inputGradient: UnsafeMutableBufferPointer<T>?, inputGradientEpilogue: GEMMEpilogue<T>
    ) {
        // dW = Gᵀ·X
        backend.gemm(
            transposeA: true, transposeB: false, m: outputSize, n: inputSize, k: batch, alpha: 1, a: g, lda: outputSize,
            b: x, ldb: inputSize, beta: 0, c: weightGradient, ldc: inputSize)
        // db = Gᵀ·1
        backend.gemv(
            transposeA: true, m: batch, n: outputSize, alpha: 1, a: g, lda: outputSize, x: ones, beta: 0, y: biasGradient)
        // dX = G·W
        guard let inputGradient else { return }
        backend.gemm(
            transposeA: false, transposeB: false, m: batch, n: inputSize, k: outputSize, alpha: 1, a: g, lda: outputSize,
            b: weight, ldb: inputSize, beta: 0, c: inputGradient, epilogue: inputGradientEpilogue)
    }
}
