import Testing

@testable import Perceptron

/// CPUs as CPUID describes them, for judging OpenBLAS's choice without the hardware.
enum TestCPUs {
    static let avx512: CPUFeatures.Extensions = [.sse3, .avx, .avx2, .fma, .avx512F, .avx512BW, .avx512DQ, .avx512VL]
    /// Intel Emerald Rapids (family 6 model 207): AVX-512 with BF16, and AMX; unknown to OpenBLAS 0.3.21.
    static let emeraldRapids = CPUFeatures(
        vendor: "GenuineIntel", family: 6, model: 207,
        extensions: avx512.union([.avx512BF16, .amxTile, .amxBF16, .amxInt8]))
    /// AMD Zen 4 (family 25 model 17): AVX-512 with BF16, no AMX.
    static let zen4 = CPUFeatures(
        vendor: "AuthenticAMD", family: 25, model: 17, extensions: avx512.union(.avx512BF16))
    /// Intel Haswell (family 6 model 60): AVX2 and FMA.
    static let haswell = CPUFeatures(vendor: "GenuineIntel", family: 6, model: 60, extensions: [.sse3, .avx, .avx2, .fma])
    /// AMD Zen 2 (family 23 model 49): AVX2 and FMA.
    static let zen2 = CPUFeatures(vendor: "AuthenticAMD", family: 23, model: 49, extensions: [.sse3, .avx, .avx2, .fma])
    /// AMD Excavator (family 21 model 101): AVX2 and FMA, OpenBLAS's own `Excavator` kernels.
    static let excavator = CPUFeatures(vendor: "AuthenticAMD", family: 21, model: 101, extensions: [.sse3, .avx, .avx2, .fma])
    /// Intel Sandy Bridge (family 6 model 42): AVX only.
    static let sandyBridge = CPUFeatures(vendor: "GenuineIntel", family: 6, model: 42, extensions: [.sse3, .avx])
    /// Intel Nehalem (family 6 model 26): SSE only.
    static let nehalem = CPUFeatures(vendor: "GenuineIntel", family: 6, model: 26, extensions: [.sse3])
    /// Intel Knights Landing (family 6 model 87): AVX-512 F without BW, DQ or VL.
    static let knightsLanding = CPUFeatures(
        vendor: "GenuineIntel", family: 6, model: 87, extensions: [.sse3, .avx, .avx2, .fma, .avx512F])
    /// Not x86-64: CPUID could not be read.
    static let arm = CPUFeatures(vendor: "", family: 0, model: 0, extensions: [])

    static let debian = OpenBLASConfiguration("OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY Prescott MAX_THREADS=64")
    static let fixed = OpenBLASConfiguration("OpenBLAS 0.3.28 DYNAMIC_ARCH NO_AFFINITY Prescott MAX_THREADS=512")
    static let singleTarget = OpenBLASConfiguration("OpenBLAS 0.3.21 NO_AFFINITY Prescott MAX_THREADS=64")
}

/// ``OpenBLASCoreDecision``: which cores count as fallbacks on which CPUs, and what to do.
@Suite struct OpenBLASCoreDecisionTests {
    static let sseCores = [
        "Katmai", "Coppermine", "Northwood", "Prescott", "Banias", "Atom", "Core2", "Penryn", "Dunnington", "Nehalem",
        "Athlon", "Opteron", "Opteron_SSE3", "Barcelona", "Nano", "Bobcat", "Generic",
    ]
    static let avxCores = ["Sandybridge", "Bulldozer", "Piledriver", "Steamroller", "Excavator"]

    private func decide(
        _ cpu: CPUFeatures, _ core: String, setting: String? = nil, _ configuration: OpenBLASConfiguration = TestCPUs.debian
    ) -> OpenBLASCoreDecision {
        OpenBLASCoreDecision.decide(cpu: cpu, core: core, coreTypeSetting: setting, configuration: configuration)
    }

    @Test func prescottOnEmeraldRapidsSwitchesToSkylakeXThenHaswell() {
        let decision = decide(TestCPUs.emeraldRapids, "Prescott")
        #expect(decision.action == .switchCore(candidates: ["SkylakeX", "Haswell"]))
        #expect(decision.coreIsFallback)
        #expect(decision.reason.contains("Prescott") && decision.reason.contains("AVX-512"))
        #expect(decision.reason.contains("0.3.25") && decision.reason.contains("207"))
    }

    @Test func fromVersion0325TheReasonDoesNotBlameTheOldVersion() {
        let decision = decide(TestCPUs.emeraldRapids, "Prescott", TestCPUs.fixed)
        #expect(decision.action == .switchCore(candidates: ["SkylakeX", "Haswell"]))
        #expect(!decision.reason.contains("0.3.25"))
    }

    @Test(arguments: sseCores + avxCores)
    func everyCoreBelowAVX2IsAFallbackOnAnAVX512CPU(core: String) {
        let intel = decide(TestCPUs.emeraldRapids, core)
        #expect(intel.coreIsFallback && intel.action == .switchCore(candidates: ["SkylakeX", "Haswell"]))
        let amd = decide(TestCPUs.zen4, core)
        #expect(amd.coreIsFallback && amd.action == .switchCore(candidates: ["SkylakeX", "Zen", "Haswell"]))
    }

    @Test(arguments: sseCores + avxCores)
    func everyCoreBelowAVX2IsAFallbackOnAnAVX2CPU(core: String) {
        #expect(decide(TestCPUs.haswell, core).action == .switchCore(candidates: ["Haswell"]))
        #expect(decide(TestCPUs.zen2, core).action == .switchCore(candidates: ["Zen", "Haswell"]))
    }

    /// OpenBLAS chooses Haswell or Zen kernels for some AVX-512 CPUs on purpose (Zen 4 in
    /// some versions): not a fallback.
    @Test(arguments: ["Haswell", "Zen", "haswell", "ZEN"])
    func avx2CoresAreKeptOnAVX512CPUs(core: String) {
        for cpu in [TestCPUs.emeraldRapids, TestCPUs.zen4] {
            let decision = decide(cpu, core)
            #expect(decision.action == .keep && !decision.coreIsFallback)
        }
    }

    @Test(arguments: ["SkylakeX", "Cooperlake", "SapphireRapids", "skylakex", "COOPERLAKE"])
    func avx512CoresAreKeptOnAVX512CPUs(core: String) {
        for cpu in [TestCPUs.emeraldRapids, TestCPUs.zen4] {
            let decision = decide(cpu, core)
            #expect(decision.action == .keep && !decision.coreIsFallback)
            #expect(decision.reason.contains("suits"))
        }
    }

    @Test func avx2CoresAreKeptOnAVX2CPUs() {
        for core in ["Haswell", "Zen"] {
            #expect(decide(TestCPUs.haswell, core) == decide(TestCPUs.zen2, core))
            #expect(decide(TestCPUs.haswell, core).action == .keep)
        }
    }

    /// Only CPUs with AVX2+FMA are judged: an SSE core on an AVX-only or SSE-only CPU is kept.
    @Test func coresBelowAVX2AreKeptOnCPUsWithoutAVX2AndFMA() {
        for cpu in [TestCPUs.sandyBridge, TestCPUs.nehalem] {
            for core in ["Prescott", "Nehalem", "Sandybridge"] {
                let decision = decide(cpu, core)
                #expect(decision.action == .keep && !decision.coreIsFallback)
            }
        }
        var avx2WithoutFMA = TestCPUs.haswell
        avx2WithoutFMA.extensions.remove(.fma)
        #expect(decide(avx2WithoutFMA, "Prescott").action == .keep)
    }

    /// AVX-512 F alone (Knights Landing) does not run the SkylakeX kernels: Haswell is asked for.
    @Test func avx512WithoutBWDQVLAsksForHaswellNotSkylakeX() {
        #expect(decide(TestCPUs.knightsLanding, "Prescott").action == .switchCore(candidates: ["Haswell"]))
        #expect(decide(TestCPUs.knightsLanding, "Haswell").action == .keep)
    }

    @Test func bulldozerFamilyCoresAreKeptOnAMDFamily15hButNotOnZen() {
        for core in ["Excavator", "Steamroller", "Piledriver", "Bulldozer"] {
            #expect(decide(TestCPUs.excavator, core).action == .keep)
            #expect(!decide(TestCPUs.excavator, core).coreIsFallback)
            #expect(decide(TestCPUs.zen2, core).action == .switchCore(candidates: ["Zen", "Haswell"]))
        }
        // Still a fallback there: an SSE core.
        #expect(decide(TestCPUs.excavator, "Prescott").action == .switchCore(candidates: ["Zen", "Haswell"]))
    }

    @Test func aUserSetCoreTypeIsNeverSwitchedEvenWhenItIsAFallback() {
        let decision = decide(TestCPUs.emeraldRapids, "Prescott", setting: "Prescott")
        #expect(decision.action == .keep)
        #expect(decision.coreIsFallback)
        #expect(decision.reason.contains("OPENBLAS_CORETYPE=Prescott") && decision.reason.contains("SkylakeX"))
        let good = decide(TestCPUs.emeraldRapids, "Haswell", setting: "Haswell")
        #expect(good.action == .keep && !good.coreIsFallback)
    }

    /// OpenBLAS 0.3.21 rejects `Cooperlake` and then chooses as if unset: the reason says the
    /// core in use is not the one asked for.
    @Test func aCoreTypeOpenBLASDidNotTakeIsRespectedAndNamed() {
        let decision = decide(TestCPUs.emeraldRapids, "Prescott", setting: "Cooperlake")
        #expect(decision.action == .keep && decision.coreIsFallback)
        #expect(decision.reason.contains("OPENBLAS_CORETYPE=Cooperlake") && decision.reason.contains("runs Prescott instead"))
    }

    @Test(arguments: ["", " ", "\t\n"])
    func anEmptyCoreTypeCountsAsUnset(setting: String) {
        let unset = decide(TestCPUs.emeraldRapids, "Prescott")
        #expect(decide(TestCPUs.emeraldRapids, "Prescott", setting: setting).action == unset.action)
    }

    @Test func aFallbackInABuildWithoutDynamicArchCannotBeSwitchedAndSaysWhatToInstall() {
        let decision = decide(TestCPUs.emeraldRapids, "Prescott", TestCPUs.singleTarget)
        #expect(decision.action == .cannotSwitch && decision.coreIsFallback)
        #expect(decision.reason.contains("DYNAMIC_ARCH") && decision.reason.contains("TARGET=SKYLAKEX"))
        #expect(decide(TestCPUs.zen2, "Nehalem", TestCPUs.singleTarget).reason.contains("TARGET=ZEN"))
        #expect(decide(TestCPUs.emeraldRapids, "SkylakeX", TestCPUs.singleTarget).action == .keep)
        // An unreadable configuration is no DYNAMIC_ARCH build either.
        #expect(decide(TestCPUs.emeraldRapids, "Prescott", OpenBLASConfiguration("")).action == .cannotSwitch)
    }

    @Test(arguments: ["", "Unknown", "NeoverseN1", "armv8", "Prescott2", String(repeating: "x", count: 10_000), "Z\u{0}en", "💥"])
    func unknownCoreNamesAreKeptAndNotJudged(core: String) {
        let decision = decide(TestCPUs.emeraldRapids, core)
        #expect(decision.action == .keep && !decision.coreIsFallback)
        #expect(decision.reason.contains("not judged"))
    }

    @Test func onOtherArchitecturesNothingIsJudged() {
        let decision = decide(TestCPUs.arm, "Prescott")
        #expect(decision.action == .keep && !decision.coreIsFallback)
        #expect(decision.reason.contains("not an x86-64 CPU"))
    }

    /// A core needing more than the CPU reports cannot have come from OpenBLAS's own detection
    /// unless Perceptron's reading is wrong; it is kept, not "repaired" downwards.
    @Test func aCoreAboveTheCPUIsKeptAndNotCalledAFallback() {
        let decision = decide(TestCPUs.haswell, "SkylakeX")
        #expect(decision.action == .keep && !decision.coreIsFallback)
        #expect(decision.reason.contains("needs AVX-512"))
    }

    @Test func levelsFollowTheExtensionsTheKernelsNeed() {
        #expect(TestCPUs.emeraldRapids.level == .avx512)
        #expect(TestCPUs.zen4.level == .avx512)
        #expect(TestCPUs.knightsLanding.level == .avx2)
        #expect(TestCPUs.haswell.level == .avx2)
        #expect(TestCPUs.sandyBridge.level == .avx)
        #expect(TestCPUs.nehalem.level == .sse)
        #expect(TestCPUs.arm.level == .sse)
        #expect(OpenBLASCore.level(of: "COOPERLAKE") == .avx512)
        #expect(OpenBLASCore.level(of: "Zen") == .avx2)
        #expect(OpenBLASCore.level(of: "Sandybridge") == .avx)
        #expect(OpenBLASCore.level(of: "Opteron_SSE3") == .sse)
        #expect(OpenBLASCore.level(of: "unknown") == nil)
    }
}
