/// What Perceptron knows about OpenBLAS's x86-64 kernel sets ("cores"): the vector level each
/// is written for, and which to ask for on a given CPU.
///
/// Names are those of `openblas_get_corename` and `OPENBLAS_CORETYPE`, compared without regard
/// to case. OpenBLAS 0.3.21 accepts every name below as `OPENBLAS_CORETYPE` except
/// `Cooperlake` and `SapphireRapids` (it then chooses as if unset); `Katmai`, `Coppermine`,
/// `Northwood`, `Banias` and `Athlon` are accepted but run the `Prescott` kernels.
package enum OpenBLASCore {
    /// Each known core with the level of its kernels.
    private static let levels: [String: SIMDLevel] = {
        var table: [String: SIMDLevel] = [:]
        // SSE-only kernels, and `Generic` (plain C for baseline x86-64).
        for name in [
            "Katmai", "Coppermine", "Northwood", "Prescott", "Banias", "Atom", "Core2", "Penryn", "Dunnington",
            "Nehalem", "Athlon", "Opteron", "Opteron_SSE3", "Barcelona", "Nano", "Bobcat", "Generic",
        ] {
            table[name.lowercased()] = .sse
        }
        // 256-bit AVX kernels without AVX2: Intel's Sandy Bridge, and AMD's Bulldozer family
        // (whose FMA4/FMA3 kernels are written for those cores' 128-bit units).
        for name in ["Sandybridge", "Bulldozer", "Piledriver", "Steamroller", "Excavator"] {
            table[name.lowercased()] = .avx
        }
        for name in ["Haswell", "Zen"] { table[name.lowercased()] = .avx2 }
        for name in ["SkylakeX", "Cooperlake", "SapphireRapids"] { table[name.lowercased()] = .avx512 }
        return table
    }()

    /// The level the named core's kernels are written for, or `nil` for a name Perceptron does
    /// not know (a newer core, or another architecture's).
    package static func level(of core: String) -> SIMDLevel? {
        levels[core.lowercased()]
    }

    /// Whether the core is one of AMD's Bulldozer family, which OpenBLAS chooses deliberately
    /// for those CPUs (family 0x15) even when they have AVX2 (Excavator).
    package static func isBulldozerFamily(_ core: String) -> Bool {
        ["bulldozer", "piledriver", "steamroller", "excavator"].contains(core.lowercased())
    }

    /// The cores to ask for on `cpu`, best first, when its OpenBLAS fell back: `SkylakeX` for
    /// AVX-512 F/BW/DQ/VL (the same ?gemm kernels as `Cooperlake`, a name 0.3.21 rejects), then
    /// the AVX2 core: `Zen` on AMD and Hygon (tuned for their caches), `Haswell` otherwise.
    /// Empty below AVX2+FMA.
    package static func candidates(for cpu: CPUFeatures) -> [String] {
        let avx2: [String] =
            ["AuthenticAMD", "HygonGenuine"].contains(cpu.vendor) ? ["Zen", "Haswell"] : ["Haswell"]
        switch cpu.level {
        case .avx512: return ["SkylakeX"] + avx2
        case .avx2: return avx2
        case .sse, .avx: return []
        }
    }
}
