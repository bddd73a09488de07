import Testing

@testable import Perceptron

// Each gradient is checked against central differences of the scalar loss L = Σ_ij R_ij·Y_ij,
// whose upstream gradient is G = dL/dY = R. L is linear in every operand, so the central
// difference (L(θ + h) − L(θ − h)) / 2h has no truncation error: what remains is rounding,
// about ε·Σ|R·Y| / h ≈ 1e-16·10 / 1e-3 = 1e-12, hence the tolerance 1e-8.
private let step = 1e-3
private let tolerance = 1e-8

/// Y = A·X by the textbook loop, independent of both backends.
private func product(_ a: Matrix<Double>, _ x: Matrix<Double>) -> Matrix<Double> {
    Matrix(rows: a.rows, columns: x.columns) { i, j in
        (0..<a.columns).reduce(0) { $0 + a[i, $1] * x[$1, j] }
    }
}

/// Y = X·Wᵀ + b (batch-first dense layer, W stored [out, in]).
private func dense(_ x: Matrix<Double>, _ w: Matrix<Double>, _ b: [Double]) -> Matrix<Double> {
    Matrix(rows: x.rows, columns: w.rows) { i, o in
        (0..<x.columns).reduce(b[o]) { $0 + x[i, $1] * w[o, $1] }
    }
}

/// Σ_ij R_ij·Y_ij.
private func loss(_ y: Matrix<Double>, _ r: Matrix<Double>) -> Double {
    zip(y.elements, r.elements).reduce(0) { $0 + $1.0 * $1.1 }
}

/// The central difference of `f` with respect to each element of `m`.
private func centralDifferences(_ m: Matrix<Double>, _ f: (Matrix<Double>) -> Double) -> Matrix<Double> {
    Matrix(rows: m.rows, columns: m.columns) { i, j in
        var plus = m
        var minus = m
        plus[i, j] += step
        minus[i, j] -= step
        return (f(plus) - f(minus)) / (2 * step)
    }
}

private func expectClose(_ a: [Double], _ b: [Double], _ what: String) {
    #expect(a.count == b.count, "\(what): count")
    for (u, v) in zip(a, b) { #expect(abs(u - v) <= tolerance, "\(what)") }
}

/// Both backends' names, or only the naive one in a build without the `OpenBLAS` trait.
private let backendNames = BLASBackend.isAvailable ? ["naive", "blas"] : ["naive"]

private func backend(named name: String) throws -> any Backend {
    name == "blas" ? try BLASBackend() : NaiveBackend()
}

/// dL/dA = G·Xᵀ and dL/dX = Aᵀ·G for Y = A·X (A [4, 3], X [3, 5]).
@Test(arguments: backendNames)
func productGradientsMatchCentralDifferences(backendName: String) throws {
    let backend = try backend(named: backendName)
    var generator = SeededGenerator(seed: 500)
    let a: Matrix<Double> = generator.gaussianMatrix(rows: 4, columns: 3)
    let x: Matrix<Double> = generator.gaussianMatrix(rows: 3, columns: 5)
    let g: Matrix<Double> = generator.gaussianMatrix(rows: 4, columns: 5)
    let dA = try MatmulGradients.leftOperand(upstream: g, right: x, backend: backend)
    let dX = try MatmulGradients.rightOperand(upstream: g, left: a, backend: backend)
    expectClose(dA.elements, centralDifferences(a) { loss(product($0, x), g) }.elements, "dL/dA = G·Xᵀ")
    expectClose(dX.elements, centralDifferences(x) { loss(product(a, $0), g) }.elements, "dL/dX = Aᵀ·G")
}

/// dW = Gᵀ·X, dX = G·W, db = Σ_rows G for Y = X·Wᵀ + b (batch 6, in 3, out 4).
@Test(arguments: backendNames)
func denseGradientsMatchCentralDifferences(backendName: String) throws {
    let backend = try backend(named: backendName)
    var generator = SeededGenerator(seed: 501)
    let x: Matrix<Double> = generator.gaussianMatrix(rows: 6, columns: 3)
    let w: Matrix<Double> = generator.gaussianMatrix(rows: 4, columns: 3)
    let b: [Double] = (0..<4).map { _ in generator.gaussian() }
    let g: Matrix<Double> = generator.gaussianMatrix(rows: 6, columns: 4)
    let dW = try MatmulGradients.denseWeight(upstream: g, input: x, backend: backend)
    let dX = try MatmulGradients.denseInput(upstream: g, weight: w, backend: backend)
    let db = MatmulGradients.denseBias(upstream: g, backend: backend)
    #expect(dW.shape == w.shape && dX.shape == x.shape && db.count == b.count)
    expectClose(dW.elements, centralDifferences(w) { loss(dense(x, $0, b), g) }.elements, "dW = Gᵀ·X")
    expectClose(dX.elements, centralDifferences(x) { loss(dense($0, w, b), g) }.elements, "dX = G·W")
    let bias = Matrix(rows: 1, columns: 4) { _, j in b[j] }
    let numericBias = centralDifferences(bias) { loss(dense(x, w, $0.elements), g) }
    expectClose(db, numericBias.elements, "db = Σ_rows G")
}

@Test func denseWeightGradientShapeMismatchNamesBothShapes() {
    #expect {
        try MatmulGradients.denseWeight(
            upstream: Matrix<Float>(rows: 6, columns: 4), input: Matrix<Float>(rows: 5, columns: 3),
            backend: NaiveBackend())
    } throws: { error in
        let text = "\(error)"
        return text.contains("Aᵀ [4, 6]") && text.contains("B [5, 3]")
    }
}
