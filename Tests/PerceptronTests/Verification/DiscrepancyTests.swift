import Testing

@testable import Perceptron

@Suite struct DiscrepancyTests {
    /// relative = max|a − b| / max(‖b‖_∞, floor): an error in a small element is measured
    /// against the tensor's largest element.
    @Test func relativeErrorIsNormwiseAgainstTheLargestExpectedElement() {
        let d = Discrepancy(actual: [4.0, 1e-3 + 1e-6, 0], expected: [4.0, 1e-3, 0])
        #expect(abs(d.maxAbsoluteError - 1e-6) < 1e-18)
        #expect(abs(d.maxRelativeError - 1e-6 / 4) < 1e-18)
    }

    @Test func equalTensorsHaveZeroError() {
        let d = Discrepancy(actual: [Float(1), -2, 0], expected: [1, -2, 0])
        #expect(d == Discrepancy(maxAbsoluteError: 0, maxRelativeError: 0))
    }

    @Test func allZeroExpectedValuesUseTheSmallestNormalAsFloor() {
        let d = Discrepancy(actual: [0.0, 1e-300], expected: [0.0, 0.0])
        #expect(d.maxRelativeError == 1e-300 / Double.leastNormalMagnitude)
        #expect(d.maxRelativeError > 1)
    }

    @Test func nonFiniteValueFailsEveryTolerance() {
        let nan = Discrepancy(actual: [1.0, .nan], expected: [1.0, 2.0])
        let inf = Discrepancy(actual: [Float.infinity], expected: [1])
        #expect(nan.maxRelativeError == .infinity && inf.maxAbsoluteError == .infinity)
        #expect(!VerificationCheck(name: "x", discrepancy: nan, tolerance: 1e300).passed)
        // The same infinity on both sides agrees.
        #expect(Discrepancy(actual: [-Double.infinity], expected: [-.infinity]).maxAbsoluteError == 0)
    }

    @Test func mergedKeepsTheLargerErrorsAndTheWorstTensor() {
        let a = Discrepancy(maxAbsoluteError: 1, maxRelativeError: 1e-12, worst: "a")
        let b = Discrepancy(maxAbsoluteError: 1e-3, maxRelativeError: 1e-9, worst: "b")
        let m = a.merged(with: b)
        #expect(m.maxAbsoluteError == 1 && m.maxRelativeError == 1e-9 && m.worst == "b")
        #expect(Discrepancy.zero.merged(with: a) == a)
    }

    @Test func tableHasAHeaderAndOneRowPerCheckMarkingFailures() {
        let checks = [
            VerificationCheck(name: "good", discrepancy: .init(maxAbsoluteError: 1e-16, maxRelativeError: 2e-16), tolerance: 1e-10),
            VerificationCheck(name: "bad one", discrepancy: .init(maxAbsoluteError: 0.5, maxRelativeError: 0.25), tolerance: 1e-10),
        ]
        let lines = VerificationCheck.table(checks).split(separator: "\n")
        #expect(lines.count == 4)
        #expect(lines[0].hasPrefix("check") && lines[0].hasSuffix("result"))
        #expect(lines[2].hasPrefix("good") && lines[2].hasSuffix("pass") && lines[2].contains("2.00e-16"))
        #expect(lines[3].hasPrefix("bad one") && lines[3].hasSuffix("FAIL") && lines[3].contains("2.50e-01"))
        #expect(Set(lines.map(\.count)).count == 1)
    }

    @Test func scientificNotationRoundsToTwoDecimals() {
        #expect(VerificationCheck.scientific(0) == "0")
        #expect(VerificationCheck.scientific(1) == "1.00e+00")
        #expect(VerificationCheck.scientific(9.996e-5) == "1.00e-04")
        #expect(VerificationCheck.scientific(-3.14159e12) == "-3.14e+12")
        #expect(VerificationCheck.scientific(.infinity) == "inf")
        #expect(VerificationCheck.scientific(.nan) == "nan")
    }
}
