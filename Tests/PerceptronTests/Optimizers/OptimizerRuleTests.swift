import Testing

@testable import Perceptron

/// Applies `optimizer` to `p` with each gradient in turn and returns the parameters after each step.
private func trajectory<O: Optimizer<Double>>(_ optimizer: inout O, start p: [Double], gradients: [[Double]])
    -> [[Double]]
{
    var p = p
    return gradients.map { g in
        optimizer.update(&p, gradients: g)
        return p
    }
}

/// Hand-computed values are exact decimals up to rounding: 1e-15 relative.
private func close(_ a: [Double], _ b: [Double]) -> Bool { maxRelativeDifference(a, b) < 1e-15 }

@Test func sgdWithMomentumStartsTheBufferAtTheFirstGradient() {
    // lr 0.1, μ 0.9: b = g = [1, 2], p = [0.9, −2.2]; b = 0.9·b + g = [1.9, 3.8], p = [0.71, −2.58];
    // b = 0.9·b + 0 = [1.71, 3.42], p = [0.539, −2.922].
    var sgd = SGD<Double>(learningRate: 0.1, momentum: 0.9)
    let steps = trajectory(&sgd, start: [1, -2], gradients: [[1, 2], [1, 2], [0, 0]])
    #expect(close(steps[0], [0.9, -2.2]))
    #expect(close(steps[1], [0.71, -2.58]))
    #expect(close(steps[2], [0.539, -2.922]))
}

@Test func sgdNesterovStepsAlongGradientPlusMomentumTimesBuffer() {
    // lr 0.1, μ 0.9, g = 1: b = 1, p = 1 − 0.1·(1 + 0.9) = 0.81; b = 1.9, p = 0.81 − 0.1·(1 + 1.71) = 0.539.
    var sgd = SGD<Double>(learningRate: 0.1, momentum: 0.9, nesterov: true)
    let steps = trajectory(&sgd, start: [1], gradients: [[1], [1]])
    #expect(close(steps[0], [0.81]))
    #expect(close(steps[1], [0.539]))
}

@Test func sgdWeightDecayAddsL2TermToTheGradient() {
    // lr 0.1, λ 0.5, p = 2, g = 1: d = 1 + 1 = 2, p = 1.8; d = 1 + 0.9 = 1.9, p = 1.61.
    var sgd = SGD<Double>(learningRate: 0.1, weightDecay: 0.5)
    let steps = trajectory(&sgd, start: [2], gradients: [[1], [1]])
    #expect(close(steps[0], [1.8]))
    #expect(close(steps[1], [1.61]))
}

@Test func adamCorrectsBiasOfBothMoments() {
    // lr 0.1, g = 1, 3, −2 (values from the torch.optim.Adam formulas, evaluated in float64):
    // step 1: m̂ = 1, v̂ = 1 → p = 1 − 0.1/(1 + 1e-8);
    // step 2: m = 0.39, v = 0.009999, m̂ = 0.39/0.19, v̂ = 0.009999/0.001999 → p = 0.80822…
    var adam = Adam<Double>(learningRate: 0.1)
    let steps = trajectory(&adam, start: [1], gradients: [[1], [3], [-2]])
    #expect(close(steps[0], [0.9000000009999999]))
    #expect(close(steps[1], [0.8082218895123321]))
    #expect(close(steps[2], [0.7824315091221739]))
    #expect(adam.step == 3)
}

@Test func adamWDecaysParametersBeforeTheAdamStep() {
    // lr 0.1, λ 0.5, p = 1, g = 1: p = 1·(1 − 0.05) = 0.95, then Adam's first step of 0.1/(1 + 1e-8);
    // step 2: p = 0.85·0.95 − 0.1/(1 + 1e-8·…) = 0.7075….
    var adamW = AdamW<Double>(learningRate: 0.1, weightDecay: 0.5)
    let steps = trajectory(&adamW, start: [1], gradients: [[1], [1]])
    #expect(close(steps[0], [0.8500000009999998]))
    #expect(close(steps[1], [0.7075000019500005]))
    // Adam with the same λ adds it to the gradient instead: d = 1.5, m̂/√v̂ = 1, p = 0.9.
    var adam = Adam<Double>(learningRate: 0.1, weightDecay: 0.5)
    #expect(abs(trajectory(&adam, start: [1], gradients: [[1]])[0][0] - 0.9) < 1e-8)
}
