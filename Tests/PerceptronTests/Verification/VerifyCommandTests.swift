import Glibc
import Testing

@testable import Perceptron

/// `perceptron verify` as a user runs it: the table on stdout, exit 0 when everything passes,
/// exit 1 when a check fails, one line on stderr for bad input.
@Suite struct VerifyCommandTests {
    @Test func verifyWithCommittedFixturesPassesAndPrintsEveryCheck() throws {
        let outcome = try ReliabilitySupport.perceptron(["verify", "--reference", referenceFixtures], in: "/tmp")
        #expect(outcome.status == 0, "\(outcome.standardError)")
        let lines = outcome.standardOutput.split(separator: "\n")
        #expect(lines.contains { $0.hasPrefix("check") && $0.hasSuffix("result") })
        #expect(lines.contains { $0.hasPrefix("reference relu-ce-indices gradients") && $0.hasSuffix("pass") })
        #expect(lines.contains { $0.hasPrefix("finite differences float64") && $0.hasSuffix("pass") })
        #expect(!outcome.standardOutput.contains("FAIL"))
        #expect(lines.last?.hasPrefix("all ") == true && lines.last?.hasSuffix(" checks passed") == true)
    }

    @Test func corruptedFixtureMakesVerifyExitNonZeroNamingTheCheck() throws {
        let copy = try FixtureCopy(of: "train-sgd-momentum")
        try copy.scale("2.weight", by: 1 + 1e-6, in: "trained.safetensors")
        let outcome = try ReliabilitySupport.perceptron(
            ["verify", "--reference", FileSystem.split(copy.folder).folder], in: "/tmp")
        #expect(outcome.status == 1)
        let lines = outcome.standardOutput.split(separator: "\n")
        #expect(lines.contains { $0.hasPrefix("reference train-sgd-momentum trained") && $0.hasSuffix("FAIL") })
        #expect(lines.contains { $0.hasPrefix("reference train-sgd-momentum gradients") && $0.hasSuffix("pass") })
        #expect(lines.last?.contains("1 of ") == true && lines.last?.contains("FAILED") == true)
    }

    @Test func missingReferenceFolderPrintsOneLineOnStderr() throws {
        let outcome = try ReliabilitySupport.perceptron(["verify", "--reference", "/tmp/no-such-reference-folder"], in: "/tmp")
        #expect(outcome.status != 0 && outcome.signal == nil)
        #expect(outcome.errorLines.count == 1)
        #expect(outcome.standardError.contains("/tmp/no-such-reference-folder"))
    }

    @Test func malformedFixturePrintsOneLineNamingTheFile() throws {
        let copy = try FixtureCopy(of: "relu-ce-indices")
        unlink(copy.folder + "/targets.npy")
        let outcome = try ReliabilitySupport.perceptron(
            ["verify", "--reference", FileSystem.split(copy.folder).folder], in: "/tmp")
        #expect(outcome.status != 0 && outcome.signal == nil)
        #expect(outcome.errorLines.count == 1)
        #expect(outcome.standardError.contains("targets.npy"))
        #expect(outcome.standardOutput.isEmpty)
    }
}
