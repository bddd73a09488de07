import Foundation
import Testing

@testable import Perceptron

/// ``BLASBackend/environment``: what it reports is what OpenBLAS and the CPU say, for people and
/// as JSON.
@Suite struct BLASEnvironmentTests {
    @Test(.enabled(if: BLASBackend.isAvailable))
    func environmentReportsTheCoreOpenBLASRunsAndItsBuild() throws {
        let environment = BLASBackend.environment
        let core = try #require(environment.openBLASCore)
        #expect(core == BLAS.coreName)
        #expect(environment.coreSelection.inUse == core)
        #expect(!environment.coreSelection.chosenAtLoad.isEmpty)
        let configuration = try #require(environment.openBLASConfiguration)
        #expect(configuration.hasPrefix("OpenBLAS "))
        #expect(environment.openBLASVersion == OpenBLASConfiguration(configuration).versionString)
        #expect([0, 1, 2].contains(environment.openBLASParallelMode ?? -1))
        #expect(environment.openBLASThreadCount >= 1)
        #expect(environment.coreTypeSetting == ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"])
        #expect(environment.cpu == CPUFeatures.current)
        #expect(environment.vectorUnit == VectorUnit.name)
    }

    /// Unless the user forced one, the core in use after the selection is never a fallback
    /// (with a DYNAMIC_ARCH OpenBLAS, such as Debian's).
    @Test(.enabled(if: BLASBackend.isAvailable && ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] == nil))
    func withoutACoreTypeSettingTheCoreInUseIsNoFallback() {
        let selection = OpenBLASKernel.useBestAvailableCore()
        #expect(!selection.isFallback, "\(selection)")
        #expect([.kept, .switched].contains(selection.outcome))
    }

    @Test func selectionIsMadeOnceAndTheSameForEveryCaller() async {
        let first = OpenBLASKernel.useBestAvailableCore()
        let all = await withTaskGroup(of: OpenBLASCoreSelection.self) { group in
            for _ in 0..<8 { group.addTask { OpenBLASKernel.useBestAvailableCore() } }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(all.allSatisfy { $0 == first })
    }

    @Test func descriptionNamesCoreThreadsCPUAndVectorUnit() throws {
        let environment = BLASBackend.environment
        let lines = environment.description.split(separator: "\n").map(String.init)
        if let core = environment.openBLASCore {
            #expect(lines.contains("OpenBLAS core: \(core)") || lines.contains { $0.hasPrefix("OpenBLAS core: \(core) (OpenBLAS chose") })
            #expect(lines.contains { $0.hasPrefix("OpenBLAS core decision: \(environment.coreSelection.outcome.words): ") })
            #expect(lines.contains { $0.hasPrefix("OpenBLAS threads: \(environment.openBLASThreadCount)") })
        } else {
            #expect(lines.first == "OpenBLAS: not in this build (the OpenBLAS trait is off)")
        }
        let cpuLine = try #require(lines.first { $0.hasPrefix("CPU: ") })
        for name in environment.cpu.extensions.names { #expect(cpuLine.split(separator: " ").contains(Substring(name))) }
        #expect(lines.last == "Perceptron's elementwise kernels: \(VectorUnit.name)")
    }

    @Test func jsonHasOneKeyPerPropertyAndDecodesBack() throws {
        let environment = BLASBackend.environment
        let data = try JSONEncoder().encode(environment)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(object["cpu"] is [String: Any] && object["coreSelection"] is [String: Any])
        #expect(object["vectorUnit"] as? String == VectorUnit.name)
        #expect(object["openBLASThreadCount"] as? Int == environment.openBLASThreadCount)
        #expect(try JSONDecoder().decode(BLASEnvironment.self, from: data) == environment)
    }
}
