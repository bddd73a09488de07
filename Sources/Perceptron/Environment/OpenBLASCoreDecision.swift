/// Whether to keep the kernel set ("core") OpenBLAS chose or switch to another: a pure function
/// of the CPU, the core, the user's `OPENBLAS_CORETYPE` and the OpenBLAS build.
///
/// A core is a *fallback* when it uses less of the CPU than OpenBLAS has kernels for, judged
/// conservatively: only a core below AVX2+FMA (SSE-only such as `Prescott`, `Nehalem`, `Core2`,
/// `Atom`, or AVX-only such as `Sandybridge`, `Bulldozer`) on a CPU with AVX2+FMA or AVX-512.
/// That is the failure this exists for: OpenBLAS before 0.3.25 chooses `Prescott` on Intel
/// models it does not list (Emerald Rapids, family 6 model 207), about 4× slower. An AVX2 core
/// (`Haswell`, `Zen`) on an AVX-512 CPU is not a fallback: OpenBLAS chooses it deliberately
/// for some CPUs (AMD Zen 4 in some versions). Nor is a Bulldozer-family core on AMD family
/// 0x15, where it is the CPU's own. Unknown core names and other architectures are not judged.
package struct OpenBLASCoreDecision: Equatable, Sendable {
    /// What to do.
    package enum Action: Equatable, Sendable {
        /// Leave OpenBLAS's kernels as they are.
        case keep
        /// Switch to the first of these cores that OpenBLAS accepts, best first.
        case switchCore(candidates: [String])
        /// The core is a fallback but this OpenBLAS has no other kernels (not `DYNAMIC_ARCH`).
        case cannotSwitch
    }

    /// What to do.
    package var action: Action
    /// Whether the core uses less of the CPU than OpenBLAS has kernels for (see the type's
    /// documentation), whatever the action.
    package var coreIsFallback: Bool
    /// Why, in one line for people.
    package var reason: String

    /// Decides for `core` (as `openblas_get_corename` names it) on `cpu`. A non-empty
    /// `coreTypeSetting` (the user's `OPENBLAS_CORETYPE`) is always respected: the action is then
    /// ``Action/keep`` even for a fallback core.
    package static func decide(
        cpu: CPUFeatures, core: String, coreTypeSetting: String?, configuration: OpenBLASConfiguration
    ) -> OpenBLASCoreDecision {
        guard cpu.isX86 else {
            return OpenBLASCoreDecision(
                action: .keep, coreIsFallback: false, reason: "not an x86-64 CPU: OpenBLAS's \(core) is not judged")
        }
        guard let coreLevel = OpenBLASCore.level(of: core) else {
            return OpenBLASCoreDecision(
                action: .keep, coreIsFallback: false,
                reason: "OpenBLAS's core \(quoted(core)) is not one Perceptron knows: not judged")
        }
        let cpuLevel = cpu.level
        let ownAMDCore = cpu.vendor == "AuthenticAMD" && cpu.family == 0x15 && OpenBLASCore.isBulldozerFamily(core)
        let fallback = coreLevel < .avx2 && cpuLevel >= .avx2 && !ownAMDCore
        let best = OpenBLASCore.candidates(for: cpu).first
        let situation = "\(core) (\(coreLevel) kernels) on a CPU with \(cpuLevel)"

        if let setting = coreTypeSetting?.trimmingWhitespace, !setting.isEmpty {
            var reason = "OPENBLAS_CORETYPE=\(setting) is set and respected"
            if setting.lowercased() != core.lowercased() {
                reason += "; OpenBLAS runs \(core) instead (it does not accept that name, or maps it to \(core))"
            }
            if fallback {
                reason += "; \(situation) is a fallback" + (best.map { ": set \($0) or unset it" } ?? "")
            }
            return OpenBLASCoreDecision(action: .keep, coreIsFallback: fallback, reason: reason)
        }
        guard fallback, let best else {
            let reason =
                coreLevel > cpuLevel
                ? "\(core) needs \(coreLevel) but this CPU reports \(cpuLevel): kept, as OpenBLAS chose it"
                : "\(situation) suits it"
            return OpenBLASCoreDecision(action: .keep, coreIsFallback: false, reason: reason)
        }
        guard configuration.isDynamicArch else {
            return OpenBLASCoreDecision(
                action: .cannotSwitch, coreIsFallback: true,
                reason: "OpenBLAS runs \(situation) and was built for that core alone (no DYNAMIC_ARCH): "
                    + "install a DYNAMIC_ARCH build, or one built with TARGET=\(best.uppercased())")
        }
        var reason = "OpenBLAS chose \(situation)"
        if cpu.vendor == "GenuineIntel", cpu.family == 6, configuration.version != nil,
            !configuration.isAtLeast([0, 3, 25])
        {
            reason += " (OpenBLAS before 0.3.25 does not know Intel model \(cpu.model))"
        }
        return OpenBLASCoreDecision(
            action: .switchCore(candidates: OpenBLASCore.candidates(for: cpu)), coreIsFallback: true, reason: reason)
    }

    /// `"name"`, or `"(empty)"`.
    private static func quoted(_ text: String) -> String {
        text.isEmpty ? "(empty)" : "\"\(text)\""
    }
}

extension String {
    /// The string without leading and trailing spaces, tabs and newlines.
    fileprivate var trimmingWhitespace: String {
        String(drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }
}
