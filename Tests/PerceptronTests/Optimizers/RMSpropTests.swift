import Testing

@testable import Perceptron

/// `steps` updates of `optimizer` on `p`, each from the gradient `gradient(p)`.
private func run<O: Optimizer>(_ optimizer: inout O, _ p: [O.Element], steps: Int, gradient: ([O.Element]) -> [O.Element])
    -> [O.Element]
{
    var p = p
    for _ in 0..<steps { optimizer.update(&p, gradients: gradient(p)) }
    return p
}

/// The rule written out as `torch.optim.RMSprop` documents it, in Double.
private func reference(
    _ p0: [Double], steps: Int, lr: Double, alpha: Double, eps: Double, weightDecay: Double, momentum: Double,
    gradient: ([Double]) -> [Double]
) -> [Double] {
    var p = p0
    var v = [Double](repeating: 0, count: p.count)
    var b = [Double](repeating: 0, count: p.count)
    for _ in 0..<steps {
        let g = gradient(p)
        for i in p.indices {
            let d = g[i] + weightDecay * p[i]
            v[i] = alpha * v[i] + (1 - alpha) * d * d
            let step = d / (v[i].squareRoot() + eps)
            if momentum != 0 {
                b[i] = momentum * b[i] + step
                p[i] -= lr * b[i]
            } else {
                p[i] -= lr * step
            }
        }
    }
    return p
}

@Test func rmspropFirstStepMovesEachParameterByLearningRateOverSqrtOneMinusAlpha() {
    // v = (1 − α)·g², so g/√v = sign(g)/√(1 − α) = ±10 for α = 0.99 (ε negligible).
    var rule = RMSprop<Double>(learningRate: 0.01, epsilon: 0)
    var p = [1.0, -2.0]
    rule.update(&p, gradients: [3, -0.5])
    #expect(abs(p[0] - (1 - 0.1)) < 1e-15)
    #expect(abs(p[1] - (-2 + 0.1)) < 1e-14)
}

@Test(arguments: [(0.0, 0.0), (0.9, 0.0), (0.0, 0.01), (0.5, 0.1)])
func rmspropFollowsPyTorchsRuleOverSeveralSteps(momentum: Double, weightDecay: Double) {
    // A quadratic bowl's gradient g = 2(p − c): five steps from the same start.
    let c = [0.3, -1.2, 2.0]
    let gradient = { (p: [Double]) in zip(p, c).map { 2 * ($0 - $1) } }
    var rule = RMSprop<Double>(learningRate: 0.05, weightDecay: weightDecay, momentum: momentum)
    let actual = run(&rule, [1, 1, 1], steps: 5, gradient: gradient)
    let expected = reference(
        [1, 1, 1], steps: 5, lr: 0.05, alpha: 0.99, eps: 1e-8, weightDecay: weightDecay, momentum: momentum,
        gradient: gradient)
    // The same operations in another order: a few ulps per step.
    #expect(maxRelativeDifference(actual, expected) < 1e-14)
    #expect(rule.squareAverage.count == 3)
    #expect(rule.momentumBuffer.count == (momentum == 0 ? 0 : 3))
}

@Test func rmspropInFloatTracksDouble() {
    let c: [Float] = [0.3, -1.2, 2.0]
    var rule = RMSprop<Float>(learningRate: 0.05, momentum: 0.5)
    let actual = run(&rule, [1, 1, 1], steps: 5) { p in zip(p, c).map { 2 * ($0 - $1) } }
    let expected = reference(
        [1, 1, 1], steps: 5, lr: 0.05, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0.5
    ) { p in zip(p, c.map(Double.init)).map { 2 * ($0 - $1) } }
    // Float rounding (u = 6e-8) over five steps.
    #expect(maxRelativeDifference(actual.map(Double.init), expected) < 1e-5)
}
