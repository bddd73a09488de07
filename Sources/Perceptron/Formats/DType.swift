/// The element type of a tensor in a file.
///
/// Perceptron computes in ``Precision/float32`` and ``Precision/float64``; files may also hold
/// half-precision floats (read and widened) and integers (class labels, pixels).
public enum DType: String, Sendable, CaseIterable, CustomStringConvertible {
    /// IEEE 754 binary16.
    case float16 = "F16"
    /// bfloat16: the upper 16 bits of a binary32.
    case bfloat16 = "BF16"
    /// IEEE 754 binary32.
    case float32 = "F32"
    /// IEEE 754 binary64.
    case float64 = "F64"
    /// Two's-complement 32-bit integer.
    case int32 = "I32"
    /// Two's-complement 64-bit integer.
    case int64 = "I64"
    /// Unsigned 8-bit integer.
    case uint8 = "U8"

    /// The dtype of a ``Scalar`` type.
    public init(_ precision: Precision) {
        switch precision {
        case .float32: self = .float32
        case .float64: self = .float64
        }
    }

    /// The safetensors name, which is also the raw value: `F32`, `BF16`, `U8`.
    public var safetensorsName: String { rawValue }

    /// Bytes per element.
    public var byteCount: Int {
        switch self {
        case .uint8: 1
        case .float16, .bfloat16: 2
        case .float32, .int32: 4
        case .float64, .int64: 8
        }
    }

    /// Whether the elements are floating-point numbers.
    public var isFloatingPoint: Bool {
        switch self {
        case .float16, .bfloat16, .float32, .float64: true
        case .int32, .int64, .uint8: false
        }
    }

    /// The ``Precision`` this dtype computes in, if it is one of them.
    public var precision: Precision? {
        switch self {
        case .float32: .float32
        case .float64: .float64
        default: nil
        }
    }

    /// The order in which the `safetensors` Python package lays tensors out: larger (more
    /// aligned) types first, so every tensor starts at a multiple of its element size.
    var safetensorsLayoutRank: Int {
        switch self {
        case .int64: 0
        case .float64: 1
        case .float32: 2
        case .int32: 3
        case .bfloat16: 4
        case .float16: 5
        case .uint8: 6
        }
    }

    /// The lower-case name used in messages and on the command line: `float32`, `uint8`.
    public var description: String {
        switch self {
        case .float16: "float16"
        case .bfloat16: "bfloat16"
        case .float32: "float32"
        case .float64: "float64"
        case .int32: "int32"
        case .int64: "int64"
        case .uint8: "uint8"
        }
    }
}
