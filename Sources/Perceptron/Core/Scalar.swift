import RealModule

/// The floating-point types Perceptron computes in: `Float` and `Double`.
///
/// Every algorithm in the package is written once, generic over `Scalar`; the boundary files
/// pick the `s` or `d` C routine from ``precision``.
public protocol Scalar: BinaryFloatingPoint, Real, Sendable, LosslessStringConvertible
where RawSignificand: FixedWidthInteger {
    /// The IEEE 754 format of this type.
    static var precision: Precision { get }
}

/// An IEEE 754 binary format that Perceptron computes in.
public enum Precision: String, Sendable, CaseIterable, CustomStringConvertible {
    /// binary32 (`Float`).
    case float32
    /// binary64 (`Double`).
    case float64

    /// Bytes per element.
    public var byteCount: Int {
        switch self {
        case .float32: 4
        case .float64: 8
        }
    }

    /// The name used on the command line and in error messages.
    public var description: String { rawValue }
}

extension Float: Scalar {
    /// `.float32`.
    public static var precision: Precision { .float32 }
}

extension Double: Scalar {
    /// `.float64`.
    public static var precision: Precision { .float64 }
}
