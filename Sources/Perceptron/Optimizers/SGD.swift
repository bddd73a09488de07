/// Stochastic gradient descent as `torch.optim.SGD` (dampening 0).
///
/// With `d = g + λ·p` (L2 weight decay added to the gradient):
/// without momentum `p ← p − lr·d`; with momentum `μ` the buffer is `b ← d` on the first step and
/// `b ← μ·b + d` afterwards, then `p ← p − lr·b`, or with Nesterov `p ← p − lr·(d + μ·b)`.
public struct SGD<Element: Scalar>: Optimizer {
    /// `lr`.
    public var learningRate: Element
    /// `μ`; 0 disables the momentum buffer.
    public var momentum: Element
    /// Whether to use Nesterov momentum (`p ← p − lr·(d + μ·b)`).
    public var nesterov: Bool
    /// `λ`, the L2 penalty added to the gradient.
    public var weightDecay: Element
    /// The momentum buffer `b`, one element per parameter (empty before the first step).
    public private(set) var momentumBuffer: [Element] = []

    /// An SGD optimizer; the defaults are PyTorch's.
    public init(learningRate: Element = 0.001, momentum: Element = 0, nesterov: Bool = false, weightDecay: Element = 0)
    {
        self.learningRate = learningRate
        self.momentum = momentum
        self.nesterov = nesterov
        self.weightDecay = weightDecay
    }

    /// `p ← p − lr·d` (see the type's formulas), one loop over the tensor.
    @_specialize(where Element == Float)
    @_specialize(where Element == Double)
    public mutating func update(
        _ parameters: UnsafeMutableBufferPointer<Element>, gradients: UnsafeBufferPointer<Element>
    ) {
        let n = parameters.count
        guard n > 0, let p = parameters.baseAddress, let g = gradients.baseAddress else { return }
        let lr = learningRate
        let wd = weightDecay
        let mu = momentum
        if mu == 0 {
            for i in 0..<n { p[i] -= lr * (g[i] + wd * p[i]) }
            return
        }
        let first = momentumBuffer.count != n
        if first { momentumBuffer = [Element](repeating: 0, count: n) }
        let nesterov = self.nesterov
        momentumBuffer.withUnsafeMutableBufferPointer { buffer in
            let b = buffer.baseAddress!
            for i in 0..<n {
                let d = g[i] + wd * p[i]
                let v = first ? d : mu * b[i] + d
                b[i] = v
                p[i] -= lr * (nesterov ? d + mu * v : v)
            }
        }
    }
}
