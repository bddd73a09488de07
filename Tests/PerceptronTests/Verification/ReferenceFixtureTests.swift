import Testing

@testable import Perceptron

/// The committed fixtures of `Scripts/reference/make_fixtures.py` (PyTorch).
let referenceFixtures: String = {
    let file = "\(#filePath)"
    let tests = file.split(separator: "/", omittingEmptySubsequences: false).dropLast(2).joined(separator: "/")
    return tests + "/Fixtures/Reference"
}()

@Suite struct ReferenceFixtureTests {
    @Test func printAll() throws {
        for c in try ReferenceCase.all(in: referenceFixtures) {
            for check in try c.checks() { print(check) }
        }
    }
}
