import Testing

@testable import Perceptron

/// ``OpenBLASConfiguration``: any text parses; the version and `DYNAMIC_ARCH` are read exactly.
@Suite struct OpenBLASConfigurationTests {
    @Test func debianConfigurationGivesVersionAndDynamicArch() {
        let configuration = OpenBLASConfiguration("OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY Cooperlake MAX_THREADS=64")
        #expect(configuration.version == [0, 3, 21])
        #expect(configuration.versionString == "0.3.21")
        #expect(configuration.isDynamicArch)
        #expect(configuration.isAtLeast([0, 3, 21]) && configuration.isAtLeast([0, 3]) && configuration.isAtLeast([0, 2, 99]))
        #expect(!configuration.isAtLeast([0, 3, 25]) && !configuration.isAtLeast([0, 3, 21, 1]) && !configuration.isAtLeast([1]))
    }

    @Test func developmentVersionKeepsItsLeadingNumbers() {
        let configuration = OpenBLASConfiguration("OpenBLAS 0.3.26.dev DYNAMIC_ARCH")
        #expect(configuration.version == [0, 3, 26])
        #expect(configuration.isAtLeast([0, 3, 25]))
    }

    @Test func singleTargetBuildIsNotDynamic() {
        let configuration = OpenBLASConfiguration("OpenBLAS 0.3.21 NO_AFFINITY SKYLAKEX MAX_THREADS=64")
        #expect(!configuration.isDynamicArch)
        #expect(configuration.version == [0, 3, 21])
    }

    @Test(arguments: ["", "OpenBLAS", "OpenBLAS x.y", "BLIS 0.9.0 DYNAMIC_ARCHX", "openblas 0.3.21", " \n ", "OpenBLAS .3"])
    func unreadableTextHasNoVersion(text: String) {
        let configuration = OpenBLASConfiguration(text)
        #expect(configuration.version == nil && configuration.versionString == nil)
        #expect(!configuration.isAtLeast([0]))
        #expect(!configuration.isDynamicArch)
        #expect(configuration.text == text)
    }
}
