/// AdamW as `torch.optim.AdamW`: Adam with decoupled weight decay.
///
/// Each step first shrinks the parameters, `p ← p·(1 − lr·λ)`, then takes the ``Adam`` step on
/// the plain gradient (no L2 term).
public struct AdamW<Element: Scalar>: Optimizer {
    /// The Adam rule (with its `weightDecay` unused: AdamW's decay is decoupled).
    public private(set) var adam: Adam<Element>
    /// `λ`, the decoupled weight decay.
    public var weightDecay: Element

    /// `lr`.
    public var learningRate: Element {
        get { adam.learningRate }
        set { adam.learningRate = newValue }
    }

    /// An AdamW optimizer; the defaults are PyTorch's (weight decay 0.01).
    public init(
        learningRate: Element = 0.001, beta1: Element = 0.9, beta2: Element = 0.999, epsilon: Element = 1e-8,
        weightDecay: Element = 0.01
    ) {
        adam = Adam(learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon)
        self.weightDecay = weightDecay
    }

    /// `p ← p·(1 − lr·λ)`, then the Adam step, in one pass on this thread.
    public mutating func update(
        _ parameters: UnsafeMutableBufferPointer<Element>, gradients: UnsafeBufferPointer<Element>
    ) {
        update(parameters, gradients: gradients, threads: 1)
    }

    /// The same step, the tensor divided among up to `threads` threads when it is large.
    public mutating func update(
        _ parameters: UnsafeMutableBufferPointer<Element>, gradients: UnsafeBufferPointer<Element>, threads: Int
    ) {
        adam.adamStep(
            parameters, gradients: gradients, l2: 0, shrink: 1 - adam.learningRate * weightDecay, threads: threads)
    }
}
