/// The CPU this process runs on: who made it, which model it is, and which vector instruction
/// sets it has that the operating system has enabled.
///
/// Read once from CPUID and XCR0 (see ``current``). An instruction set the CPU has but the OS
/// does not save the registers of (AVX-512 or AMX state off in XCR0) is reported absent, since
/// code using it would fault. Off x86-64 every field is empty.
public struct CPUFeatures: Sendable, Equatable, Codable {
    /// The vector instruction sets that matter for choosing kernels.
    public struct Extensions: OptionSet, Sendable, Hashable, Codable {
        public let rawValue: UInt32
        public init(rawValue: UInt32) { self.rawValue = rawValue }

        /// SSE3 (CPUID.1:ECX[0]).
        public static let sse3 = Extensions(rawValue: 1 << 0)
        /// AVX, with the OS saving YMM state.
        public static let avx = Extensions(rawValue: 1 << 1)
        /// AVX2.
        public static let avx2 = Extensions(rawValue: 1 << 2)
        /// FMA3 (fused multiply-add on YMM registers).
        public static let fma = Extensions(rawValue: 1 << 3)
        /// AVX-512 Foundation, with the OS saving ZMM and opmask state.
        public static let avx512F = Extensions(rawValue: 1 << 4)
        /// AVX-512 Byte and Word.
        public static let avx512BW = Extensions(rawValue: 1 << 5)
        /// AVX-512 Doubleword and Quadword.
        public static let avx512DQ = Extensions(rawValue: 1 << 6)
        /// AVX-512 Vector Length (the AVX-512 instructions on YMM and XMM registers).
        public static let avx512VL = Extensions(rawValue: 1 << 7)
        /// AVX-512 BF16 (bfloat16 dot products).
        public static let avx512BF16 = Extensions(rawValue: 1 << 8)
        /// AMX tiles, with the OS saving tile state (XTILECFG, XTILEDATA).
        public static let amxTile = Extensions(rawValue: 1 << 9)
        /// AMX bfloat16 tile products.
        public static let amxBF16 = Extensions(rawValue: 1 << 10)
        /// AMX int8 tile products.
        public static let amxInt8 = Extensions(rawValue: 1 << 11)

        /// Every extension with its name, in the order ``names`` lists them.
        static let named: [(Extensions, String)] = [
            (.sse3, "SSE3"), (.avx, "AVX"), (.avx2, "AVX2"), (.fma, "FMA"), (.avx512F, "AVX-512F"),
            (.avx512BW, "AVX-512BW"), (.avx512DQ, "AVX-512DQ"), (.avx512VL, "AVX-512VL"),
            (.avx512BF16, "AVX-512BF16"), (.amxTile, "AMX-TILE"), (.amxBF16, "AMX-BF16"), (.amxInt8, "AMX-INT8"),
        ]

        /// The names of the extensions present, e.g. `["SSE3", "AVX", "AVX2", "FMA"]`.
        public var names: [String] {
            Self.named.filter { contains($0.0) }.map(\.1)
        }

        /// The extensions named (as in ``names``); an unknown name is ignored.
        public init(names: [String]) {
            self = Extensions(Self.named.filter { names.contains($0.1) }.map(\.0))
        }

        /// Encoded as the list of ``names``.
        public init(from decoder: any Decoder) throws {
            self.init(names: try decoder.singleValueContainer().decode([String].self))
        }

        /// Encodes ``names``.
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            try container.encode(names)
        }
    }

    /// The CPUID vendor string: `"GenuineIntel"`, `"AuthenticAMD"`, …; empty off x86-64.
    public var vendor: String
    /// The display family (base family plus extended family), as /proc/cpuinfo's `cpu family`.
    public var family: Int
    /// The display model (extended model folded in), as /proc/cpuinfo's `model`.
    public var model: Int
    /// The vector instruction sets present and enabled by the OS.
    public var extensions: Extensions

    /// A description of a CPU, for tests and for judging another machine's report.
    public init(vendor: String, family: Int, model: Int, extensions: Extensions) {
        self.vendor = vendor
        self.family = family
        self.model = model
        self.extensions = extensions
    }

    /// The CPU of this process, read once (calls `ckernels_cpu_info_read`).
    public static let current: CPUFeatures = VectorKernels.cpuFeatures()

    /// Whether this is an x86-64 CPU whose CPUID could be read.
    public var isX86: Bool { !vendor.isEmpty }

    /// The widest class of vector instructions usable for matrix products.
    package var level: SIMDLevel {
        if extensions.isSuperset(of: [.avx512F, .avx512BW, .avx512DQ, .avx512VL]) { return .avx512 }
        if extensions.isSuperset(of: [.avx2, .fma]) { return .avx2 }
        if extensions.contains(.avx) { return .avx }
        return .sse
    }

    /// `"GenuineIntel family 6 model 207"`, or `"not x86-64"`.
    public var identification: String {
        isX86 ? "\(vendor) family \(family) model \(model)" : "not x86-64"
    }
}
