/// Adam as `torch.optim.Adam`, with L2 weight decay added to the gradient.
///
/// At step `t` (from 1), with `d = g + λ·p`:
/// `m ← m + (1 − β₁)(d − m)`, `v ← β₂·v + (1 − β₂)·d²`,
/// `p ← p − (lr / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)`.
/// The bias corrections are computed once per step, in `Double`, as PyTorch does.
///
/// The update is one pass over the tensor, as an AVX2/AVX-512 kernel where the CPU has one (see
/// ``VectorUnit``); given two or more threads and at least 32,768 parameters it is divided among
/// them (``update(_:gradients:threads:)``, as a ``Network`` on a multi-threaded backend calls
/// it). Neither changes a bit of the result.
public struct Adam<Element: Scalar>: Optimizer {
    /// `lr`.
    public var learningRate: Element
    /// `β₁`, the decay of the first moment.
    public var beta1: Element
    /// `β₂`, the decay of the second moment.
    public var beta2: Element
    /// `ε`, added to the denominator.
    public var epsilon: Element
    /// `λ`, the L2 penalty added to the gradient.
    public var weightDecay: Element
    /// Steps taken so far (`t` of the last step).
    public private(set) var step = 0
    /// The first-moment estimate `m`.
    public private(set) var firstMoment: [Element] = []
    /// The second-moment estimate `v`.
    public private(set) var secondMoment: [Element] = []

    /// An Adam optimizer; the defaults are PyTorch's.
    public init(
        learningRate: Element = 0.001, beta1: Element = 0.9, beta2: Element = 0.999, epsilon: Element = 1e-8,
        weightDecay: Element = 0
    ) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
    }

    /// One Adam step (see the type's formulas), one loop over the tensor on this thread.
    public mutating func update(
        _ parameters: UnsafeMutableBufferPointer<Element>, gradients: UnsafeBufferPointer<Element>
    ) {
        adamStep(parameters, gradients: gradients, l2: weightDecay, shrink: 1, threads: 1)
    }

    /// One Adam step, the tensor divided among up to `threads` threads when it is large.
    public mutating func update(
        _ parameters: UnsafeMutableBufferPointer<Element>, gradients: UnsafeBufferPointer<Element>, threads: Int
    ) {
        adamStep(parameters, gradients: gradients, l2: weightDecay, shrink: 1, threads: threads)
    }

    /// The Adam step with `d = g + l2·p`, after `p ← p·shrink`; Adam passes `shrink = 1`, AdamW
    /// `l2 = 0` and its decoupled decay `shrink = 1 − lr·λ` (fused: one pass over the tensor),
    /// on up to `threads` threads.
    @_specialize(where Element == Float)
    @_specialize(where Element == Double)
    mutating func adamStep(
        _ parameters: UnsafeMutableBufferPointer<Element>, gradients: UnsafeBufferPointer<Element>, l2: Element,
        shrink: Element, threads: Int
    ) {
        let n = parameters.count
        guard n > 0, let p = parameters.baseAddress, let g = gradients.baseAddress else { return }
        if firstMoment.count != n {
            firstMoment = [Element](repeating: 0, count: n)
            secondMoment = [Element](repeating: 0, count: n)
            step = 0
        }
        step += 1
        let t = Double(step)
        let correction1 = 1 - Double.pow(Double(beta1), t)
        let correction2 = 1 - Double.pow(Double(beta2), t)
        let stepSize = Element(Double(learningRate) / correction1)
        let inverseCorrection2Root = Element(1 / correction2.squareRoot())
        let w1 = 1 - beta1
        let b2 = beta2
        let w2 = 1 - beta2
        let eps = epsilon
        let decays = !(shrink == 1 && l2 == 0)
        let coefficients = AdamCoefficients(
            w1: w1, b2: b2, w2: w2, stepSize: stepSize, inverseCorrection2Root: inverseCorrection2Root, eps: eps,
            decays: decays, shrink: shrink, l2: l2)
        firstMoment.withUnsafeMutableBufferPointer { mBuffer in
            secondMoment.withUnsafeMutableBufferPointer { vBuffer in
                Self.apply(p, g, mBuffer.baseAddress!, vBuffer.baseAddress!, count: n, coefficients, threads: threads)
            }
        }
    }

    /// The update over `count` elements: divided among `threads` threads when there are two or
    /// more and the tensor is large (see `applyInChunks`), else on this thread.
    @inline(__always)
    static func apply(
        _ p: UnsafeMutablePointer<Element>, _ g: UnsafePointer<Element>, _ m: UnsafeMutablePointer<Element>,
        _ v: UnsafeMutablePointer<Element>, count: Int, _ c: AdamCoefficients<Element>, threads: Int
    ) {
        if count >= parallelThreshold, threads >= 2 {
            applyInChunks(p, g, m, v, count: count, c, threads: threads)
        } else {
            applySerially(p, g, m, v, count: count, c)
        }
    }

    /// The update over `count` elements on this thread: the vector kernel if this CPU has one,
    /// else the portable loop (identical results).
    @inline(__always)
    static func applySerially(
        _ p: UnsafeMutablePointer<Element>, _ g: UnsafePointer<Element>, _ m: UnsafeMutablePointer<Element>,
        _ v: UnsafeMutablePointer<Element>, count n: Int, _ c: AdamCoefficients<Element>
    ) {
        if VectorKernels.adam(
            p, g, m, v, n, c.w1, c.b2, c.w2, c.stepSize, c.inverseCorrection2Root, c.eps, decays: c.decays, c.shrink,
            c.l2, streaming: c.streamsParameters)
        {
            return
        }
        // The plain Adam step (no decay of either kind) gets its own loop: the compiler
        // cannot drop `p·1` and `g + 0·p` itself (0·p is NaN for infinite p).
        if !c.decays {
            loop(p, g, m, v, n, c.w1, c.b2, c.w2, c.stepSize, c.inverseCorrection2Root, c.eps, decays: false, 1, 0)
        } else {
            loop(
                p, g, m, v, n, c.w1, c.b2, c.w2, c.stepSize, c.inverseCorrection2Root, c.eps, decays: true, c.shrink,
                c.l2)
        }
    }

    /// The elementwise Adam update over `n` elements (see the type's formulas); with `decays`
    /// false, `shrink` and `l2` are ignored.
    @inline(__always)
    static func loop(
        _ p: UnsafeMutablePointer<Element>, _ g: UnsafePointer<Element>, _ m: UnsafeMutablePointer<Element>,
        _ v: UnsafeMutablePointer<Element>, _ n: Int, _ w1: Element, _ b2: Element, _ w2: Element,
        _ stepSize: Element, _ inverseCorrection2Root: Element, _ eps: Element, decays: Bool,
        _ shrink: Element, _ l2: Element
    ) {
        for i in 0..<n {
            let pi = decays ? p[i] * shrink : p[i]
            let d = decays ? g[i] + l2 * pi : g[i]
            let mi = m[i] + w1 * (d - m[i])
            let vi = b2 * v[i] + w2 * (d * d)
            m[i] = mi
            v[i] = vi
            // torch.optim.Adam divides by √(1 − β₂ᵗ); multiplying by its inverse saves a division
            // per element (25% of this loop) at ≤ 1 ulp of difference in the denominator. v ≥ 0,
            // so |v| = v; `magnitude` tells the compiler so, and the square root then needs no
            // errno path and vectorises (4× faster on this loop).
            p[i] = pi - stepSize * (mi / (vi.magnitude.squareRoot() * inverseCorrection2Root + eps))
        }
    }
}
