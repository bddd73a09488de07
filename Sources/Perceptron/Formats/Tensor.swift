/// An n-dimensional array as files store it: a dtype, a shape and the raw little-endian bytes
/// in C (row-major) order.
///
/// `bytes.count == product(shape) · dtype.byteCount` always holds. A scalar has shape `[]` and
/// one element. Conversions to ``Matrix`` and `[T]` check the dtype and shape and throw
/// ``FormatError`` with kind ``FormatError/Kind/tensorMismatch`` (and file `"<memory>"`, which
/// callers replace with the path they read).
public struct Tensor: Sendable, Equatable {
    /// The element type.
    public private(set) var dtype: DType
    /// The dimensions, outermost first; `[]` for a scalar.
    public private(set) var shape: [Int]
    /// The elements, little-endian, in C order.
    public private(set) var bytes: [UInt8]

    /// The number of elements, `product(shape)` (1 for a scalar).
    public var count: Int { bytes.count / dtype.byteCount }

    /// A tensor over raw little-endian bytes.
    /// - Throws: ``FormatError`` if a dimension is negative, the element count overflows, or
    ///   `bytes.count != product(shape) · dtype.byteCount`.
    public init(dtype: DType, shape: [Int], bytes: [UInt8]) throws(FormatError) {
        let size = try Tensor.byteCount(dtype: dtype, shape: shape, file: "<memory>", offset: nil)
        guard size == bytes.count else {
            throw FormatError(
                file: "<memory>", kind: .sizeMismatch,
                expected: "\(size) bytes for \(dtype) \(shape)", found: "\(bytes.count) bytes")
        }
        self.dtype = dtype
        self.shape = shape
        self.bytes = bytes
    }

    /// Trusted initialiser for readers that have already validated the size.
    init(validatedDType dtype: DType, shape: [Int], bytes: [UInt8]) {
        self.dtype = dtype
        self.shape = shape
        self.bytes = bytes
    }

    /// A `[rows, columns]` tensor of the matrix's scalar type.
    public init<T: Scalar>(_ matrix: Matrix<T>) {
        self.init(validatedDType: DType(T.precision), shape: matrix.shape, bytes: Tensor.encode(matrix.elements))
    }

    /// A tensor of the given shape over `values` in C order.
    /// - Throws: ``FormatError`` if `values.count != product(shape)`.
    public init<T: Scalar>(_ values: [T], shape: [Int]) throws(FormatError) {
        try self.init(dtype: DType(T.precision), shape: shape, bytes: Tensor.encode(values))
    }

    /// A scalar (shape `[]`).
    public init<T: Scalar>(scalar value: T) {
        self.init(validatedDType: DType(T.precision), shape: [], bytes: Tensor.encode([value]))
    }

    /// An integer tensor (class labels) of dtype `.int32`, `.int64` or `.uint8`.
    /// - Throws: ``FormatError`` if `dtype` is not an integer type, a value does not fit it, or
    ///   `values.count != product(shape)`.
    public init(integers values: [Int], shape: [Int], dtype: DType) throws(FormatError) {
        var out = [UInt8]()
        out.reserveCapacity(values.count * dtype.byteCount)
        for (i, v) in values.enumerated() {
            switch dtype {
            case .int64:
                withUnsafeBytes(of: Int64(v).littleEndian) { out.append(contentsOf: $0) }
            case .int32:
                guard let x = Int32(exactly: v) else { throw Tensor.unrepresentable(v, i, dtype) }
                withUnsafeBytes(of: x.littleEndian) { out.append(contentsOf: $0) }
            case .uint8:
                guard let x = UInt8(exactly: v) else { throw Tensor.unrepresentable(v, i, dtype) }
                out.append(x)
            default:
                throw FormatError(
                    file: "<memory>", kind: .tensorMismatch, expected: "an integer dtype", found: "\(dtype)")
            }
        }
        try self.init(dtype: dtype, shape: shape, bytes: out)
    }

    private static func unrepresentable(_ v: Int, _ i: Int, _ dtype: DType) -> FormatError {
        FormatError(
            file: "<memory>", kind: .tensorMismatch, expected: "values that fit \(dtype)",
            found: "\(v) at index \(i)")
    }

    /// `product(shape) · dtype.byteCount`, checked: no negative dimension, no overflow.
    ///
    /// As NumPy does, the product of the nonzero dimensions must not overflow either, so a
    /// zero-size shape such as `[0, 2³², 2³², 2³²]` is rejected: code that multiplies the other
    /// dimensions (a row width) would otherwise overflow later.
    static func byteCount(dtype: DType, shape: [Int], file: String, offset: Int?) throws(FormatError) -> Int {
        var n = 1
        var nonzero = 1
        for d in shape {
            guard d >= 0 else {
                throw FormatError(
                    file: file, offset: offset, kind: .invalidShape,
                    expected: "non-negative dimensions", found: "shape \(shape)")
            }
            let (p, overflow) = n.multipliedReportingOverflow(by: d)
            let (q, nonzeroOverflow) = nonzero.multipliedReportingOverflow(by: Swift.max(d, 1))
            nonzero = q
            guard !overflow, !nonzeroOverflow else {
                throw FormatError(
                    file: file, offset: offset, kind: .invalidShape,
                    expected: "an element count that fits in Int", found: "shape \(shape), whose product overflows")
            }
            n = p
        }
        let (bytes, overflow) = n.multipliedReportingOverflow(by: dtype.byteCount)
        guard !overflow, !nonzero.multipliedReportingOverflow(by: dtype.byteCount).overflow else {
            throw FormatError(
                file: file, offset: offset, kind: .invalidShape,
                expected: "a byte count that fits in Int", found: "shape \(shape) of \(dtype), whose byte count overflows")
        }
        return bytes
    }

    /// The little-endian bytes of `values`.
    @_specialize(where T == Float) @_specialize(where T == Double)
    static func encode<T: Scalar>(_ values: [T]) -> [UInt8] {
        #if _endian(little)
        return values.withUnsafeBytes { Array($0) }
        #else
        var out = [UInt8]()
        out.reserveCapacity(values.count * MemoryLayout<T>.size)
        for v in values {
            switch T.precision {
            case .float32: withUnsafeBytes(of: Float(v).bitPattern.littleEndian) { out.append(contentsOf: $0) }
            case .float64: withUnsafeBytes(of: Double(v).bitPattern.littleEndian) { out.append(contentsOf: $0) }
            }
        }
        return out
        #endif
    }
}

extension Tensor {
    /// The elements as `T`, in C order, for a tensor of any shape.
    ///
    /// Without `converting`, only dtypes whose every value `T` represents exactly are accepted:
    /// F16, BF16 and F32 into `Float`; those and F64 into `Double`. With `converting`, F64 into
    /// `Float` (rounded to nearest) and the integer dtypes (by value, rounded) are accepted too.
    /// - Throws: ``FormatError`` (``FormatError/Kind/tensorMismatch``) for any other dtype.
    @_specialize(where T == Float) @_specialize(where T == Double)
    public func scalars<T: Scalar>(as type: T.Type, converting: Bool = false) throws(FormatError) -> [T] {
        let exact: Bool =
            switch dtype {
            case .float16, .bfloat16, .float32: true
            case .float64: T.precision == .float64
            case .int32, .int64, .uint8: false
            }
        guard exact || converting else {
            throw FormatError(
                file: "<memory>", kind: .tensorMismatch,
                expected: "\(T.precision) data (or a narrower float type)", found: "\(dtype) \(shape)")
        }
        let n = count
        return [T](unsafeUninitializedCapacity: n) { out, initialized in
            bytes.withUnsafeBytes { raw in
                Tensor.decode(raw, dtype: dtype, into: UnsafeMutableBufferPointer(rebasing: out[0..<n]))
            }
            initialized = n
        }
    }

    /// The elements of a rank-2 tensor as a `[shape[0], shape[1]]` matrix (see
    /// ``scalars(as:converting:)`` for which dtypes are accepted).
    /// - Throws: ``FormatError`` (``FormatError/Kind/tensorMismatch``) if the rank is not 2 or the
    ///   dtype is not accepted.
    @_specialize(where T == Float) @_specialize(where T == Double)
    public func matrix<T: Scalar>(as type: T.Type, converting: Bool = false) throws(FormatError) -> Matrix<T> {
        guard shape.count == 2 else {
            throw FormatError(
                file: "<memory>", kind: .tensorMismatch, expected: "a rank-2 tensor [rows, columns]",
                found: "shape \(shape)")
        }
        let values = try scalars(as: T.self, converting: converting)
        do {
            return try Matrix(rows: shape[0], columns: shape[1], elements: values)
        } catch {
            throw FormatError(
                file: "<memory>", kind: .tensorMismatch, expected: "shape \(shape)", found: "\(error)")
        }
    }

    /// The elements of an integer tensor (I32, I64 or U8) as `Int`, in C order.
    /// - Throws: ``FormatError`` (``FormatError/Kind/tensorMismatch``) for a float dtype.
    public func integers() throws(FormatError) -> [Int] {
        let n = count
        switch dtype {
        case .uint8:
            return bytes.map { Int($0) }
        case .int32:
            return bytes.withUnsafeBytes { raw in
                (0..<n).map { Int(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: Int32.self))) }
            }
        case .int64:
            return bytes.withUnsafeBytes { raw in
                (0..<n).map { Int(Int64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * $0, as: Int64.self))) }
            }
        case .float16, .bfloat16, .float32, .float64:
            throw FormatError(
                file: "<memory>", kind: .tensorMismatch, expected: "an integer dtype (int32, int64, uint8)",
                found: "\(dtype) \(shape)")
        }
    }

    /// Decodes `out.count` little-endian elements of `dtype` from `raw` into `out`, by value.
    @_specialize(where T == Float) @_specialize(where T == Double)
    static func decode<T: Scalar>(_ raw: UnsafeRawBufferPointer, dtype: DType, into out: UnsafeMutableBufferPointer<T>) {
        precondition(raw.count >= out.count * dtype.byteCount, "Tensor.decode: buffer too short")
        switch dtype {
        case .float32:
            for i in out.indices {
                out[i] = T(Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))))
            }
        case .float64:
            for i in out.indices {
                out[i] = T(Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self))))
            }
        case .float16:
            for i in out.indices {
                out[i] = T(halfToFloat(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))))
            }
        case .bfloat16:
            for i in out.indices {
                let bits = UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))
                out[i] = T(Float(bitPattern: UInt32(bits) << 16))
            }
        case .int32:
            for i in out.indices {
                out[i] = T(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self)))
            }
        case .int64:
            for i in out.indices {
                out[i] = T(Int64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * i, as: Int64.self)))
            }
        case .uint8:
            for i in out.indices { out[i] = T(raw[i]) }
        }
    }

    /// IEEE binary16 bits to `Float`, exactly (every binary16 value is a binary32 value).
    static func halfToFloat(_ h: UInt16) -> Float {
        let sign: Float = h & 0x8000 == 0 ? 1 : -1
        let exponent = Int((h >> 10) & 0x1F)
        let fraction = Float(h & 0x3FF)
        switch exponent {
        case 0: return sign * fraction * 0x1p-24  // subnormal: f · 2^-24
        case 31: return fraction == 0 ? sign * .infinity : .nan
        default: return sign * (1 + fraction * 0x1p-10) * Float(sign: .plus, exponent: exponent - 15, significand: 1)
        }
    }
}
