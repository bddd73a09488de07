/// RMSprop as `torch.optim.RMSprop` (not centered), with L2 weight decay added to the gradient.
///
/// With `d = g + λ·p`: `v ← α·v + (1 − α)·d²` (`v` starts at 0); without momentum
/// `p ← p − lr·d / (√v + ε)`; with momentum `μ` the buffer (starting at 0) is
/// `b ← μ·b + d / (√v + ε)`, then `p ← p − lr·b`.
public struct RMSprop<Element: Scalar>: Optimizer {
    /// `lr`.
    public var learningRate: Element
    /// `α`, the decay of the running average of squared gradients.
    public var alpha: Element
    /// `ε`, added to the denominator (outside the square root).
    public var epsilon: Element
    /// `λ`, the L2 penalty added to the gradient.
    public var weightDecay: Element
    /// `μ`; 0 disables the momentum buffer.
    public var momentum: Element
    /// The running average of squared gradients `v` (empty before the first step).
    public private(set) var squareAverage: [Element] = []
    /// The momentum buffer `b` (empty before the first step, and without momentum).
    public private(set) var momentumBuffer: [Element] = []

    /// An RMSprop optimizer; the defaults are PyTorch's.
    public init(
        learningRate: Element = 0.01, alpha: Element = 0.99, epsilon: Element = 1e-8, weightDecay: Element = 0,
        momentum: Element = 0
    ) {
        self.learningRate = learningRate
        self.alpha = alpha
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.momentum = momentum
    }

    /// One RMSprop step (see the type's formulas), one loop over the tensor. Allocates only on
    /// the first step (or when the tensor's size changes), for its state.
    @_specialize(where Element == Float)
    @_specialize(where Element == Double)
    public mutating func update(
        _ parameters: UnsafeMutableBufferPointer<Element>, gradients: UnsafeBufferPointer<Element>
    ) {
        let n = parameters.count
        guard n > 0, let p = parameters.baseAddress, let g = gradients.baseAddress else { return }
        let mu = momentum
        if squareAverage.count != n {
            squareAverage = [Element](repeating: 0, count: n)
            momentumBuffer = []
        }
        if mu != 0, momentumBuffer.count != n { momentumBuffer = [Element](repeating: 0, count: n) }
        let lr = learningRate
        let a = alpha
        let w = 1 - alpha
        let eps = epsilon
        let wd = weightDecay
        squareAverage.withUnsafeMutableBufferPointer { vBuffer in
            let v = vBuffer.baseAddress!
            if mu == 0 {
                for i in 0..<n {
                    let d = wd == 0 ? g[i] : g[i] + wd * p[i]
                    let vi = a * v[i] + w * (d * d)
                    v[i] = vi
                    p[i] -= lr * (d / (vi.magnitude.squareRoot() + eps))
                }
                return
            }
            momentumBuffer.withUnsafeMutableBufferPointer { bBuffer in
                let b = bBuffer.baseAddress!
                for i in 0..<n {
                    let d = wd == 0 ? g[i] : g[i] + wd * p[i]
                    let vi = a * v[i] + w * (d * d)
                    v[i] = vi
                    let bi = mu * b[i] + d / (vi.magnitude.squareRoot() + eps)
                    b[i] = bi
                    p[i] -= lr * bi
                }
            }
        }
    }
}
