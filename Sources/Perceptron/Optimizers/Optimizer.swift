/// A one-parameter update rule with PyTorch's semantics: given a parameter tensor `p` and its
/// gradient `g`, update `p` in place, keeping whatever state the rule needs (momentum buffers,
/// moment estimates) inside the optimizer value.
///
/// State is allocated on the first ``update(_:gradients:)`` and reused afterwards; one optimizer
/// value serves one parameter tensor (a ``Network`` passes all its parameters as one flat
/// tensor, which is equivalent because every rule here is elementwise). Passing a tensor of a
/// different size resets the state.
public protocol Optimizer<Element>: Sendable {
    /// The scalar type of the parameters.
    associatedtype Element: Scalar
    /// The step size `lr`; a learning-rate schedule sets it before each epoch.
    var learningRate: Element { get set }
    /// Applies one step of the rule to `parameters` from `gradients` (same count), on the
    /// calling thread.
    mutating func update(_ parameters: UnsafeMutableBufferPointer<Element>, gradients: UnsafeBufferPointer<Element>)

    /// The same step, divided among up to `threads` threads (the calling thread and
    /// Perceptron's helpers) where the rule gains from it; the result is the same bit for bit.
    /// By default ``update(_:gradients:)`` on the calling thread.
    mutating func update(
        _ parameters: UnsafeMutableBufferPointer<Element>, gradients: UnsafeBufferPointer<Element>, threads: Int)
}

extension Optimizer {
    /// ``update(_:gradients:)``: the rule runs on the calling thread.
    public mutating func update(
        _ parameters: UnsafeMutableBufferPointer<Element>, gradients: UnsafeBufferPointer<Element>, threads: Int
    ) {
        update(parameters, gradients: gradients)
    }
}

extension Optimizer {
    /// Applies one step of the rule to an array of parameters.
    public mutating func update(_ parameters: inout [Element], gradients: [Element]) {
        precondition(parameters.count == gradients.count, "one gradient per parameter")
        parameters.withUnsafeMutableBufferPointer { p in
            gradients.withUnsafeBufferPointer { g in update(p, gradients: g) }
        }
    }
}

extension Network {
    /// One optimizer step on every parameter from the gradients of the last
    /// ``lossAndGradients(for:targets:loss:inputGradient:mode:)``, on as many threads as the
    /// network's backend uses (``Backend/threads``). Allocates nothing once the optimizer's
    /// state exists.
    public mutating func update(using optimizer: inout some Optimizer<T>) {
        let threads = backend.threads
        parameterStorage.withUnsafeMutableBufferPointer { p in
            gradientStorage.withUnsafeBufferPointer { g in optimizer.update(p, gradients: g, threads: threads) }
        }
    }

    /// One training step on a batch: ``lossAndGradients(for:targets:loss:inputGradient:mode:)`` without
    /// the input gradient, then ``update(using:)``. Returns the batch loss (before the update).
    /// - Throws: ``ShapeError`` if `input` or `targets` do not fit the network and `loss`.
    @discardableResult
    public mutating func trainStep(
        on input: Matrix<T>, targets: Targets<T>, loss: Loss, optimizer: inout some Optimizer<T>
    ) throws(ShapeError) -> T {
        let value = try lossAndGradients(for: input, targets: targets, loss: loss, inputGradient: false)
        update(using: &optimizer)
        return value
    }
}
