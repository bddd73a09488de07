/// The vector instructions Perceptron's own elementwise kernels use on this CPU (today the
/// ``Adam``/``AdamW`` update; matrix products are OpenBLAS's, which chooses its own kernels).
///
/// Chosen once per process from the CPU: AVX-512 or AVX2 on x86-64, otherwise the portable
/// Swift loops. Every choice gives bit-identical results; only the speed differs. Setting the
/// environment variable `PERCEPTRON_PORTABLE_KERNELS=1` forces the portable loops.
public enum VectorUnit {
    /// The vector width in bits: 512 (AVX-512), 256 (AVX2) or 0 (portable Swift loops).
    public static var bits: Int { VectorKernels.vectorBits }

    /// `"AVX-512"`, `"AVX2"` or `"portable"`.
    public static var name: String {
        switch bits {
        case 512: "AVX-512"
        case 256: "AVX2"
        default: "portable"
        }
    }
}
