import Testing

@testable import Perceptron

/// xoshiro256** seeded by SplitMix64 from 12345: the first five outputs, computed by an
/// independent Python transcription of the authors' reference C code.
@Test func generatorMatchesReferenceXoshiro256StarStar() {
    var generator = SeededGenerator(seed: 12345)
    let expected: [UInt64] = [
        0xBE6A_3637_4160_D49B, 0x214A_AA06_37A6_88C6, 0xF69D_16DE_9954_D388, 0x0C60_048C_4E96_E033,
        0x8E20_76AE_ED51_C648,
    ]
    #expect((0..<5).map { _ in generator.next() } == expected)
}

@Test func sameSeedGivesSameSequence() {
    var a = SeededGenerator(seed: 99)
    var b = SeededGenerator(seed: 99)
    #expect((0..<100).map { _ in a.next() } == (0..<100).map { _ in b.next() })
    let x: Matrix<Float> = a.gaussianMatrix(rows: 3, columns: 4)
    let y: Matrix<Float> = b.gaussianMatrix(rows: 3, columns: 4)
    #expect(x == y)
}

@Test func differentSeedsGiveDifferentSequences() {
    // Adjacent seeds: SplitMix64 seeding must decorrelate them.
    var streams = (0..<8).map { SeededGenerator(seed: UInt64($0)) }
    let firsts = streams.indices.map { i in (0..<4).map { _ in streams[i].next() } }
    #expect(Set(firsts).count == firsts.count)
}

private func checkUniformRange<T: Scalar>(_: T.Type) {
    var generator = SeededGenerator(seed: 5)
    for (lower, upper) in [(T(0), T(1)), (-3, 2), (1, T(1).nextUp)] {
        for _ in 0..<10_000 {
            let x = generator.uniform(lower, upper)
            #expect(x >= lower && x < upper, "\(T.self) uniform(\(lower), \(upper)) gave \(x)")
        }
    }
    // An empty interval gives its bound.
    #expect(generator.uniform(T(2), T(2)) == 2)
}

@Test func uniformStaysInHalfOpenRange() {
    checkUniformRange(Float.self)
    checkUniformRange(Double.self)
}

/// The largest unit sample is 1 − 2⁻ᵖ, below 1 in both precisions: with 53 random bits a
/// Float conversion would round 1 − 2⁻⁵³ up to 1 and break the half-open range.
@Test func largestUnitSampleIsBelowOne() {
    #expect(SeededGenerator.unitSample(.max, as: Float.self) == 1 - 0x1p-24)
    #expect(SeededGenerator.unitSample(.max, as: Double.self) == 1 - 0x1p-53)
    #expect(SeededGenerator.unitSample(0, as: Float.self) == 0)
}

@Test func uniformMeanAndVarianceMatchTheDistribution() {
    var generator = SeededGenerator(seed: 6)
    let n = 100_000
    let samples: [Double] = (0..<n).map { _ in generator.uniform(-1, 3) }
    let mean = samples.reduce(0, +) / Double(n)
    let variance = samples.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n - 1)
    // U(−1, 3): mean 1, variance 16/12. Tolerances are 5 standard errors:
    // se(mean) = √(4/3 / n) = 0.0037; se(var) = √((μ₄ − σ⁴)/n) = √((16·16/80 − 16/9)/n) ≈ 0.0038.
    #expect(abs(mean - 1) <= 5 * 0.0037)
    #expect(abs(variance - 16.0 / 12) <= 5 * 0.0038)
}

@Test func gaussianMomentsMatchStandardNormal() {
    var generator = SeededGenerator(seed: 7)
    let n = 100_000
    let z: [Double] = (0..<n).map { _ in generator.gaussian() }
    let mean = z.reduce(0, +) / Double(n)
    let m2 = z.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n)
    let m3 = z.reduce(0) { $0 + ($1 - mean) * ($1 - mean) * ($1 - mean) } / Double(n)
    let m4 = z.reduce(0) { $0 + ($1 - mean) * ($1 - mean) * ($1 - mean) * ($1 - mean) } / Double(n)
    // N(0, 1), n = 1e5, 5 standard errors each: se(mean) = 1/√n = 0.0032, se(variance) =
    // √(2/n) = 0.0045, se(skewness) = √(6/n) = 0.0077, se(kurtosis) = √(24/n) = 0.0155.
    #expect(abs(mean) <= 5 * 0.0032)
    #expect(abs(m2 - 1) <= 5 * 0.0045)
    #expect(abs(m3 / (m2 * m2.squareRoot())) <= 5 * 0.0077)
    #expect(abs(m4 / (m2 * m2) - 3) <= 5 * 0.0155)
}

@Test func gaussianHonoursMeanAndStandardDeviation() {
    var generator = SeededGenerator(seed: 8)
    let n = 50_000
    let x: [Float] = (0..<n).map { _ in generator.gaussian(mean: 10, standardDeviation: 0.5) }
    let mean = x.reduce(0.0) { $0 + Double($1) } / Double(n)
    let sd = (x.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / Double(n)).squareRoot()
    // se(mean) = 0.5/√n = 0.0022; se(sd) = 0.5/√(2n) = 0.0016; 5 standard errors.
    #expect(abs(mean - 10) <= 5 * 0.0022)
    #expect(abs(sd - 0.5) <= 5 * 0.0016)
}
