/// NumPy's `.npy` format: one array per file.
///
/// Layout: the magic `\x93NUMPY`, a major and minor version byte, the header length (2 bytes
/// little-endian in version 1.0, 4 bytes in 2.0 and 3.0), then the header, a Python dict
/// literal such as `{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }` padded with
/// spaces and a newline, then the raw elements.
///
/// Read: versions 1.0, 2.0 and 3.0 (UTF-8 header); dtypes `<f2 <f4 <f8 <i4 <i8 |u1` (`=` is
/// read as little-endian, and any byte order for `u1`); C order, or Fortran order when at most
/// one dimension exceeds 1 (the bytes are then the same). Big-endian data and true Fortran
/// order are rejected with a clear error, as are trailing bytes. Write: as `numpy.save` does,
/// byte for byte (version 1.0, header padded to a multiple of 64 bytes).
public enum NPY {
    /// The largest header accepted, in bytes (1 MB; NumPy itself refuses more than 10 000).
    public static let maximumHeaderSize = 1_000_000

    private static let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)

    /// Reads and validates the array in the file at `path`.
    /// - Throws: ``FormatError`` naming `path` and the byte offset of the first problem.
    public static func read(from path: String) throws(FormatError) -> Tensor {
        try decode(FileSystem.read(path), file: path)
    }

    /// Decodes and validates a whole `.npy` file held in `bytes`.
    /// `file` names the source in errors.
    public static func decode(_ bytes: [UInt8], file: String = "<memory>") throws(FormatError) -> Tensor {
        let result: Result<Tensor, FormatError> = bytes.withUnsafeBytes { buffer in
            do throws(FormatError) { return .success(try decode(buffer, file: file)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    /// Decodes and validates a whole `.npy` file held in `buffer`; the result owns a copy.
    /// `file` names the source in errors.
    public static func decode(_ buffer: UnsafeRawBufferPointer, file: String = "<memory>") throws(FormatError) -> Tensor {
        guard buffer.count >= 8 else {
            throw FormatError(
                file: file, offset: 0, kind: .truncated, expected: "the 8-byte magic and version",
                found: "\(buffer.count) bytes")
        }
        guard buffer.prefix(6).elementsEqual(magic) else {
            throw FormatError(
                file: file, offset: 0, kind: .invalidHeader, expected: "the magic \\x93NUMPY",
                found: "bytes " + buffer.prefix(6).map { String($0, radix: 16) }.joined(separator: " "))
        }
        let major = buffer[6]
        let minor = buffer[7]
        guard (1...3).contains(major), minor == 0 else {
            throw FormatError(
                file: file, offset: 6, kind: .invalidHeader, expected: "version 1.0, 2.0 or 3.0",
                found: "version \(major).\(minor)")
        }
        let lengthSize = major == 1 ? 2 : 4
        guard buffer.count >= 8 + lengthSize else {
            throw FormatError(
                file: file, offset: 8, kind: .truncated, expected: "a \(lengthSize)-byte header length",
                found: "\(buffer.count - 8) bytes")
        }
        let headerLength =
            major == 1
            ? Int(UInt16(littleEndian: buffer.loadUnaligned(fromByteOffset: 8, as: UInt16.self)))
            : Int(UInt32(littleEndian: buffer.loadUnaligned(fromByteOffset: 8, as: UInt32.self)))
        let headerStart = 8 + lengthSize
        guard headerLength <= maximumHeaderSize else {
            throw FormatError(
                file: file, offset: 8, kind: .headerTooLarge,
                expected: "a header length of at most \(maximumHeaderSize) bytes", found: "\(headerLength)")
        }
        guard headerLength <= buffer.count - headerStart else {
            throw FormatError(
                file: file, offset: 8, kind: .truncated,
                expected: "a \(headerLength)-byte header (header length past the end of the file)",
                found: "\(buffer.count - headerStart) bytes")
        }
        let header = UnsafeRawBufferPointer(rebasing: buffer[headerStart..<headerStart + headerLength])
        if let bad = major == 3 ? UTF8Validation.firstInvalidOffset(header) : header.firstIndex(where: { $0 >= 0x80 }) {
            throw FormatError(
                file: file, offset: headerStart + bad, kind: .invalidUTF8,
                expected: major == 3 ? "a UTF-8 header" : "an ASCII header", found: "byte 0x\(String(header[bad], radix: 16))")
        }
        var parser = HeaderParser(bytes: header, position: 0, file: file, base: headerStart)
        let (descr, fortranOrder, shape) = try parser.dictionary()

        let dtype = try dtype(descr, file: file, offset: headerStart)
        if fortranOrder && shape.filter({ $0 > 1 }).count > 1 {
            throw FormatError(
                file: file, offset: headerStart, kind: .fortranOrder,
                expected: "C order (save with np.ascontiguousarray)", found: "fortran_order True with shape \(shape)")
        }
        let byteCount = try Tensor.byteCount(dtype: dtype, shape: shape, file: file, offset: headerStart)
        let dataStart = headerStart + headerLength
        let available = buffer.count - dataStart
        guard available >= byteCount else {
            throw FormatError(
                file: file, offset: buffer.count, kind: .truncated,
                expected: "\(byteCount) data bytes for \(dtype) \(shape)", found: "\(available)")
        }
        guard available == byteCount else {
            throw FormatError(
                file: file, offset: dataStart + byteCount, kind: .unusedBytes,
                expected: "the file to end after \(byteCount) data bytes for \(dtype) \(shape)",
                found: "\(available - byteCount) more bytes")
        }
        let data = Array(UnsafeRawBufferPointer(rebasing: buffer[dataStart..<dataStart + byteCount]))
        return Tensor(validatedDType: dtype, shape: shape, bytes: data)
    }

    /// The dtype named by a `descr` string.
    private static func dtype(_ descr: String, file: String, offset: Int) throws(FormatError) -> DType {
        let supported = "one of <f2 <f4 <f8 <i4 <i8 |u1"
        guard descr.utf8.count == 3, let order = descr.first else {
            throw FormatError(file: file, offset: offset, kind: .unsupportedDType, expected: supported, found: "descr '\(descr)'")
        }
        let code = descr.dropFirst()
        if code == "u1" { return .uint8 }
        let dtype: DType? =
            switch code {
            case "f2": .float16
            case "f4": .float32
            case "f8": .float64
            case "i4": .int32
            case "i8": .int64
            default: nil
            }
        guard let dtype else {
            throw FormatError(file: file, offset: offset, kind: .unsupportedDType, expected: supported, found: "descr '\(descr)'")
        }
        switch order {
        case "<", "=": return dtype
        case ">":
            throw FormatError(
                file: file, offset: offset, kind: .bigEndian,
                expected: "little-endian data (save with arr.astype('<\(code)'))", found: "descr '\(descr)'")
        default:
            throw FormatError(file: file, offset: offset, kind: .unsupportedDType, expected: supported, found: "descr '\(descr)'")
        }
    }

    /// The `descr` NumPy writes for `dtype`, or `nil` for bfloat16, which NumPy lacks.
    static func descr(_ dtype: DType) -> String? {
        switch dtype {
        case .float16: "<f2"
        case .bfloat16: nil
        case .float32: "<f4"
        case .float64: "<f8"
        case .int32: "<i4"
        case .int64: "<i8"
        case .uint8: "|u1"
        }
    }

    /// The bytes `numpy.save` writes for `tensor`.
    /// - Throws: ``FormatError`` (``FormatError/Kind/unsupportedDType``) for bfloat16.
    public static func encode(_ tensor: Tensor) throws(FormatError) -> [UInt8] {
        guard let descr = descr(tensor.dtype) else {
            throw FormatError(
                file: "<memory>", kind: .unsupportedDType, expected: "a dtype NumPy has", found: "\(tensor.dtype)")
        }
        let shape = tensor.shape
        let tuple =
            switch shape.count {
            case 0: "()"
            case 1: "(\(shape[0]),)"
            default: "(" + shape.map(String.init).joined(separator: ", ") + ")"
            }
        var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(tuple), }"
        // numpy leaves room to grow the first axis in place: up to 21 digits.
        if let first = shape.first { header += String(repeating: " ", count: max(0, 21 - String(first).count)) }
        var text = Array(header.utf8)
        let lengthWithNewline = text.count + 1
        // Version 1.0 unless its padded header length does not fit in 16 bits (as numpy).
        let major: UInt8 = lengthWithNewline + 64 - (10 + lengthWithNewline) % 64 <= 65535 ? 1 : 2
        let prefix = major == 1 ? 10 : 12
        let padding = 64 - (prefix + lengthWithNewline) % 64
        text.append(contentsOf: repeatElement(UInt8(ascii: " "), count: padding))
        text.append(UInt8(ascii: "\n"))
        var out = magic + [major, 0]
        out.reserveCapacity(prefix + text.count + tensor.bytes.count)
        if major == 1 {
            withUnsafeBytes(of: UInt16(text.count).littleEndian) { out.append(contentsOf: $0) }
        } else {
            withUnsafeBytes(of: UInt32(text.count).littleEndian) { out.append(contentsOf: $0) }
        }
        out.append(contentsOf: text)
        out.append(contentsOf: tensor.bytes)
        return out
    }

    /// Writes ``encode(_:)`` of `tensor` to `path` atomically (see ``AtomicFile``).
    public static func write(_ tensor: Tensor, to path: String) throws(FormatError) {
        try AtomicFile.write(encode(tensor), to: path)
    }

    /// Parses the subset of Python literals a `.npy` header uses: a dict with exactly the keys
    /// `descr` (a string), `fortran_order` (`True`/`False`) and `shape` (a tuple of integers).
    private struct HeaderParser {
        let bytes: UnsafeRawBufferPointer
        var position: Int
        let file: String
        let base: Int

        func error(_ expected: String, kind: FormatError.Kind = .invalidHeader) -> FormatError {
            let found: String
            if position < bytes.count {
                let b = bytes[position]
                found = b >= 0x20 && b < 0x7F ? "'\(Character(Unicode.Scalar(b)))'" : "byte 0x\(String(b, radix: 16))"
            } else {
                found = "end of header"
            }
            return FormatError(file: file, offset: base + position, kind: kind, expected: expected, found: found)
        }

        mutating func skipSpaces() {
            while position < bytes.count, bytes[position] == 0x20 || bytes[position] == 0x0A || bytes[position] == 0x09 {
                position += 1
            }
        }

        mutating func consume(_ byte: Character) -> Bool {
            skipSpaces()
            guard position < bytes.count, bytes[position] == byte.asciiValue else { return false }
            position += 1
            return true
        }

        mutating func require(_ byte: Character) throws(FormatError) {
            guard consume(byte) else { throw error("'\(byte)'") }
        }

        mutating func string() throws(FormatError) -> String {
            skipSpaces()
            guard position < bytes.count, bytes[position] == UInt8(ascii: "'") || bytes[position] == UInt8(ascii: "\"") else {
                throw error("a quoted string")
            }
            let quote = bytes[position]
            position += 1
            let start = position
            while position < bytes.count, bytes[position] != quote {
                guard bytes[position] != UInt8(ascii: "\\"), bytes[position] != 0x0A else { throw error("a plain string") }
                position += 1
            }
            guard position < bytes.count else { throw error("a closing quote") }
            let s = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
            position += 1
            return s
        }

        mutating func integer() throws(FormatError) -> Int {
            skipSpaces()
            let start = position
            var value = 0
            while position < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[position]) {
                let (m, o1) = value.multipliedReportingOverflow(by: 10)
                let (s, o2) = m.addingReportingOverflow(Int(bytes[position] - UInt8(ascii: "0")))
                guard !o1, !o2 else {
                    position = start
                    throw error("a dimension that fits in Int", kind: .invalidShape)
                }
                value = s
                position += 1
            }
            guard position > start else { throw error("a non-negative integer dimension", kind: .invalidShape) }
            if position < bytes.count, bytes[position] == UInt8(ascii: "L") { position += 1 }  // Python 2 long
            return value
        }

        mutating func shape() throws(FormatError) -> [Int] {
            try require("(")
            var dims: [Int] = []
            if consume(")") { return dims }
            while true {
                dims.append(try integer())
                if consume(")") {
                    // `(n)` is an integer in Python, not a tuple.
                    guard dims.count > 1 else { throw error("a tuple: '(n,)' for one dimension") }
                    return dims
                }
                try require(",")
                if consume(")") { return dims }
            }
        }

        mutating func dictionary() throws(FormatError) -> (descr: String, fortranOrder: Bool, shape: [Int]) {
            var descr: String?
            var fortranOrder: Bool?
            var shape: [Int]?
            try require("{")
            while !consume("}") {
                let keyOffset = position
                let key = try string()
                try require(":")
                skipSpaces()
                switch key {
                case "descr" where descr == nil:
                    descr = try string()
                case "fortran_order" where fortranOrder == nil:
                    if bytes[position...].starts(with: "True".utf8) {
                        fortranOrder = true
                        position += 4
                    } else if bytes[position...].starts(with: "False".utf8) {
                        fortranOrder = false
                        position += 5
                    } else {
                        throw error("True or False")
                    }
                case "shape" where shape == nil:
                    shape = try self.shape()
                default:
                    position = keyOffset
                    throw error("only the keys 'descr', 'fortran_order' and 'shape', once each")
                }
                if !consume(",") {
                    try require("}")
                    break
                }
            }
            skipSpaces()
            guard position == bytes.count else { throw error("only spaces and a newline after the dict") }
            guard let descr, let fortranOrder, let shape else {
                position = 0
                throw error("the keys 'descr', 'fortran_order' and 'shape'")
            }
            return (descr, fortranOrder, shape)
        }
    }
}
