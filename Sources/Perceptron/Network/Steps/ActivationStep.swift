/// An activation module that no dense step absorbed (it follows another activation, a
/// normalisation, dropout, or starts the network).
///
/// Forward: `Y = f(X)`. Backward, in place: `G ← G ⊙ f′(X)` (softmax: its Jacobian-vector
/// product), where `G` is dL/dY on entry and dL/dX after: the step's gradient buffer is the
/// step below's (see ``ExecutionPlan``), so no gradient is copied. The formulas are on each
/// case of ``Activation``.
struct ActivationStep: Sendable {
    var layout: StepLayout
    var activation: Activation

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    func forward<T: Scalar>(_ io: StepIO<T>, _ c: StepContext<T>) {
        ActivationKernels.forward(activation, input: io.input, output: io.output, rows: c.batch, columns: layout.width)
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    func backward<T: Scalar>(_ io: StepIO<T>, _ c: StepContext<T>) {
        ActivationKernels.backward(
            activation, input: io.input, output: UnsafeBufferPointer(io.output), gradient: io.outputGradient,
            rows: c.batch, columns: layout.width)
    }
}
