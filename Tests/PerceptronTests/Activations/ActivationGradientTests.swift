import Testing

@testable import Perceptron

/// A loss that weighs every output differently, so that each dL/dY_ij differs: `L = Σ c_ij·Y_ij`.
private func weights(_ rows: Int, _ columns: Int) -> Matrix<Double> {
    randomMatrix(rows, columns, seed: 99, in: -2, 2)
}

@Test(arguments: Activation.allCases)
func activationBackwardMatchesCentralDifferences(_ activation: Activation) throws {
    // Inputs kept at least 0.05 from 0 so that ReLU's kink is not straddled by ±h.
    var z: Matrix<Double> = randomMatrix(3, 5, seed: 7, in: -3, 3)
    for i in 0..<z.rows { for j in 0..<z.columns where abs(z[i, j]) < 0.05 { z[i, j] += 0.1 } }
    let c = weights(3, 5)
    let y = activation.forward(z)
    let analytic = try activation.backward(input: z, output: y, upstream: c)
    let numeric = numericGradient(z.elements) { e in
        let out = activation.forward(try! Matrix(rows: 3, columns: 5, elements: e))
        return zip(out.elements, c.elements).map(*).reduce(0, +)
    }
    // Central differences in Double: relative error ≤ 1e-6 (see numericGradient).
    #expect(relativeError(analytic.elements, numeric) <= 1e-6)
}

@Test func geluIsTheExactErfForm() {
    // PyTorch's GELU(approximate="none") at 1, −0.5 and 2 (z·Φ(z) with Φ from erf), to 1e-15.
    let y = Activation.gelu.forward(try! Matrix<Double>([[1, -0.5, 2]]))
    #expect(abs(y[0, 0] - 0.8413447460685429) < 1e-15)
    #expect(abs(y[0, 1] - -0.15426876936299344) < 1e-15)
    #expect(abs(y[0, 2] - 1.9544997361036416) < 1e-15)
}

@Test func softmaxRowsSumToOneAndStayFiniteForLogitsOfTenThousand() throws {
    let z = try Matrix<Double>([[1e4, -1e4, 0], [3, 3, 3], [-1e4, -1e4 + 1, -1e4]])
    let s = Activation.softmax.forward(z)
    for i in 0..<3 {
        #expect(abs(s.row(i).reduce(0, +) - 1) < 1e-15)
        #expect(s.row(i).allSatisfy { $0.isFinite })
    }
    #expect(s[0, 0] == 1)
    #expect(abs(s[1, 0] - 1.0 / 3) < 1e-15)
}

@Test func softmaxBackwardIsTheJacobianVectorProduct() throws {
    // dZ_ik = Σ_j dY_ij S_ij(δ_jk − S_ik), built from the explicit Jacobian.
    let z: Matrix<Double> = randomMatrix(2, 4, seed: 3)
    let d: Matrix<Double> = randomMatrix(2, 4, seed: 4)
    let s = Activation.softmax.forward(z)
    let fast = try Activation.softmax.backward(input: z, output: s, upstream: d)
    for i in 0..<2 {
        for k in 0..<4 {
            var sum = 0.0
            for j in 0..<4 { sum += d[i, j] * s[i, j] * ((j == k ? 1 : 0) - s[i, k]) }
            #expect(abs(fast[i, k] - sum) < 1e-15)
        }
    }
}

/// ReLU's backward pass selects (PyTorch's threshold_backward) rather than multiplying by a 0/1
/// mask: a NaN or ±∞ upstream gradient at a dead unit (output 0) gives exactly 0, and at a live
/// unit it passes through unchanged.
private func checkReLUBackwardSelects<T: Scalar>(_: T.Type) throws {
    let z = try Matrix<T>([[-1, 2, 0, 3, -4, 5]])
    let y = Activation.relu.forward(z)
    let upstream = try Matrix<T>([[.nan, .nan, .infinity, .infinity, -.infinity, -.infinity]])
    let g = try Activation.relu.backward(input: z, output: y, upstream: upstream)
    for j in [0, 2, 4] {
        // Exact: a select writes the constant 0, with no arithmetic on the upstream value.
        #expect(g[0, j] == 0 && g[0, j].sign == .plus, "\(T.self) dead unit \(j): \(g[0, j])")
    }
    #expect(g[0, 1].isNaN, "\(T.self) live unit with NaN upstream: \(g[0, 1])")
    #expect(g[0, 3] == .infinity && g[0, 5] == -.infinity, "\(T.self): \(g[0, 3]), \(g[0, 5])")
}

@Test func reluBackwardGivesZeroAtDeadUnitsEvenForNaNUpstreamAndPassesNaNAtLiveUnits() throws {
    try checkReLUBackwardSelects(Float.self)
    try checkReLUBackwardSelects(Double.self)
}
