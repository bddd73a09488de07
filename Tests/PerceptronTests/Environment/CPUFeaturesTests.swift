import Foundation
import Testing

@testable import Perceptron

/// ``CPUFeatures``: what CPUID and XCR0 say agrees with what the kernel reports in /proc/cpuinfo
/// (whose flags, too, leave out what the OS has not enabled).
@Suite struct CPUFeaturesTests {
    /// The first processor's fields in /proc/cpuinfo, or `nil` when unreadable.
    static let procCPUInfo: [String: String]? = {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return nil }
        var fields: [String: String] = [:]
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.isEmpty { break }
            guard let colon = line.firstIndex(of: ":") else { continue }
            let key = line[..<colon].trimmingCharacters(in: .whitespaces)
            fields[key] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return fields
    }()

    @Test(.enabled(if: procCPUInfo?["vendor_id"] != nil))
    func vendorFamilyAndModelMatchProcCPUInfo() throws {
        let info = try #require(Self.procCPUInfo)
        let cpu = CPUFeatures.current
        #expect(cpu.vendor == info["vendor_id"])
        #expect(String(cpu.family) == info["cpu family"])
        #expect(String(cpu.model) == info["model"])
        #expect(cpu.isX86)
    }

    @Test(.enabled(if: procCPUInfo?["flags"] != nil))
    func extensionsMatchProcCPUInfoFlags() throws {
        let flags = Set(try #require(Self.procCPUInfo?["flags"]).split(separator: " ").map(String.init))
        let names: [(CPUFeatures.Extensions, String)] = [
            (.sse3, "pni"), (.avx, "avx"), (.avx2, "avx2"), (.fma, "fma"), (.avx512F, "avx512f"),
            (.avx512BW, "avx512bw"), (.avx512DQ, "avx512dq"), (.avx512VL, "avx512vl"), (.avx512BF16, "avx512_bf16"),
            (.amxTile, "amx_tile"), (.amxBF16, "amx_bf16"), (.amxInt8, "amx_int8"),
        ]
        for (extensionSet, flag) in names {
            #expect(CPUFeatures.current.extensions.contains(extensionSet) == flags.contains(flag), "\(flag)")
        }
    }

    /// Perceptron's own kernels and this reading of the CPU agree on the widest unit.
    @Test func vectorUnitAgreesWithTheExtensions() {
        let extensions = CPUFeatures.current.extensions
        switch VectorKernels.vectorBits {
        case 512: #expect(extensions.contains(.avx512F))
        case 256: #expect(extensions.contains(.avx2) && !extensions.contains(.avx512F))
        default: break
        }
    }

    @Test func extensionsEncodeAsTheirNamesAndDecodeBack() throws {
        let cpu = TestCPUs.emeraldRapids
        let data = try JSONEncoder().encode(cpu)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(object["extensions"] as? [String] == [
            "SSE3", "AVX", "AVX2", "FMA", "AVX-512F", "AVX-512BW", "AVX-512DQ", "AVX-512VL", "AVX-512BF16", "AMX-TILE",
            "AMX-BF16", "AMX-INT8",
        ])
        #expect(try JSONDecoder().decode(CPUFeatures.self, from: data) == cpu)
        #expect(CPUFeatures.Extensions(names: ["AVX2", "no such thing"]) == .avx2)
    }

    @Test func identificationNamesVendorFamilyAndModel() {
        #expect(TestCPUs.emeraldRapids.identification == "GenuineIntel family 6 model 207")
        #expect(TestCPUs.arm.identification == "not x86-64")
    }
}
