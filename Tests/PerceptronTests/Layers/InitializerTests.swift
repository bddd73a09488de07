import Testing

@testable import Perceptron

@Test(arguments: [Initializer.he, .xavier, .pytorch])
func uniformInitializersStayWithinTheirBounds(_ initializer: Initializer) {
    var g = SeededGenerator(seed: 8)
    let d = Dense<Double>(inputSize: 50, outputSize: 30, initializer: initializer, using: &g)
    let bound: Double =
        switch initializer {
        case .he: (6.0 / 50).squareRoot()
        case .xavier: (6.0 / 80).squareRoot()
        default: 1 / 50.0.squareRoot()
        }
    #expect(d.weight.elements.allSatisfy { abs($0) <= bound })
    // With 1500 draws the largest |w| is within 2% of the bound (probability of failure ~e^-30).
    #expect(d.weight.elements.map(abs).max()! > 0.98 * bound)
    if initializer == .pytorch {
        #expect(d.bias.allSatisfy { abs($0) <= bound } && d.bias.contains { $0 != 0 })
    } else {
        #expect(d.bias.allSatisfy { $0 == 0 })
    }
}

@Test(arguments: [Initializer.heNormal, .xavierNormal])
func normalInitializersHaveTheirStandardDeviation(_ initializer: Initializer) {
    var g = SeededGenerator(seed: 9)
    let d = Dense<Double>(inputSize: 200, outputSize: 100, initializer: initializer, using: &g)
    let expected = initializer == .heNormal ? (2.0 / 200).squareRoot() : (2.0 / 300).squareRoot()
    let n = Double(d.weight.count)
    let sd = (d.weight.elements.map { $0 * $0 }.reduce(0, +) / n).squareRoot()
    // 20000 draws: the sample standard deviation is within 3% (about 4 standard errors).
    #expect(abs(sd / expected - 1) < 0.03)
}

@Test func orthogonalInitializerGivesOrthonormalRows() throws {
    var g = SeededGenerator(seed: 10)
    let d = Dense<Double>(inputSize: 7, outputSize: 4, initializer: .orthogonal, using: &g)
    let product = try NaiveBackend().matmul(d.weight, d.weight, transposeB: true)
    for i in 0..<4 { for j in 0..<4 { #expect(abs(product[i, j] - (i == j ? 1 : 0)) < 1e-12) } }
}

@Test func sameSeedGivesSameParameters() {
    var a = SeededGenerator(seed: 3)
    var b = SeededGenerator(seed: 3)
    #expect(
        Dense<Float>(inputSize: 5, outputSize: 3, using: &a) == Dense<Float>(inputSize: 5, outputSize: 3, using: &b))
}
