/// An IDX file, the format of MNIST and Fashion-MNIST, plain or gzip-compressed.
///
/// Layout: two zero bytes, an element-type byte, the number of dimensions `d`, then `d`
/// big-endian 32-bit sizes, then `product(sizes)` big-endian elements in C order. A file that
/// starts with the gzip magic `1f 8b` is decompressed first (see `Boundary/Zlib.swift`; without
/// the `Zlib` trait that throws ``FormatError/Kind/gzipUnavailable``).
///
/// Reading checks the element count for overflow and against ``maximumDataSize`` before
/// allocating; a plain file's size must match exactly, and a gzip file's data is decompressed
/// only up to the size the header announces, then must end.
public struct IDXFile: Sendable, Equatable {
    /// The element types IDX defines, by their type byte.
    public enum ElementType: UInt8, Sendable, CaseIterable {
        /// Unsigned byte (pixels and labels in MNIST).
        case uint8 = 0x08
        /// Signed byte.
        case int8 = 0x09
        /// Big-endian 16-bit integer.
        case int16 = 0x0B
        /// Big-endian 32-bit integer.
        case int32 = 0x0C
        /// Big-endian binary32.
        case float32 = 0x0D
        /// Big-endian binary64.
        case float64 = 0x0E

        /// Bytes per element.
        public var byteCount: Int {
            switch self {
            case .uint8, .int8: 1
            case .int16: 2
            case .int32, .float32: 4
            case .float64: 8
            }
        }
    }

    /// The element type.
    public private(set) var elementType: ElementType
    /// The sizes, outermost first (`[60000, 28, 28]` for MNIST training images).
    public private(set) var dimensions: [Int]
    /// The elements as stored: big-endian, C order.
    public private(set) var data: [UInt8]

    /// The largest data section accepted, in bytes (1 GiB; MNIST's largest file holds 47 MB).
    public static let maximumDataSize = 1 << 30

    /// A file over big-endian `data`.
    /// - Throws: ``FormatError`` if `data.count` is not `product(dimensions) · byteCount`.
    public init(elementType: ElementType, dimensions: [Int], data: [UInt8]) throws(FormatError) {
        let size = try IDXFile.dataSize(elementType, dimensions, file: "<memory>", offset: nil)
        guard size == data.count else {
            throw FormatError(
                file: "<memory>", kind: .sizeMismatch, expected: "\(size) bytes for dimensions \(dimensions)",
                found: "\(data.count) bytes")
        }
        self.elementType = elementType
        self.dimensions = dimensions
        self.data = data
    }

    private init(validated elementType: ElementType, dimensions: [Int], data: [UInt8]) {
        self.elementType = elementType
        self.dimensions = dimensions
        self.data = data
    }

    /// The number of elements, `product(dimensions)`.
    public var count: Int { data.count / elementType.byteCount }

    /// Reads and validates the file at `path` (plain or gzip).
    /// - Throws: ``FormatError`` naming `path` and the byte offset (in the decompressed data).
    public static func read(from path: String) throws(FormatError) -> IDXFile {
        try decode(FileSystem.read(path), file: path)
    }

    /// Decodes and validates a whole file (plain or gzip) held in `bytes`.
    /// `file` names the source in errors.
    public static func decode(_ bytes: [UInt8], file: String = "<memory>") throws(FormatError) -> IDXFile {
        let result: Result<IDXFile, FormatError> = bytes.withUnsafeBytes { buffer in
            do throws(FormatError) { return .success(try decode(buffer, file: file)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    /// Decodes and validates a whole file (plain or gzip) held in `buffer`.
    /// `file` names the source in errors.
    public static func decode(_ buffer: UnsafeRawBufferPointer, file: String = "<memory>") throws(FormatError) -> IDXFile {
        if GzipReader.isGzip(buffer) {
            let reader = try GzipReader(buffer, file: file)
            return try parse(file: file, available: nil) { (out) throws(FormatError) in try reader.read(into: out) }
        }
        var position = 0
        return try parse(file: file, available: buffer.count) { (out) throws(FormatError) in
            let n = min(out.count, buffer.count - position)
            if n > 0 { out.baseAddress!.copyMemory(from: buffer.baseAddress! + position, byteCount: n) }
            position += n
            return n
        }
    }

    /// Parses from a byte source that fills a buffer and returns how many bytes it wrote.
    /// - Parameter available: the total size when known (plain files), checked before allocating.
    private static func parse(
        file: String, available: Int?,
        read: (UnsafeMutableRawBufferPointer) throws(FormatError) -> Int
    ) throws(FormatError) -> IDXFile {
        func readExactly(_ count: Int, at offset: Int, _ what: String) throws(FormatError) -> [UInt8] {
            var bytes = [UInt8](repeating: 0, count: count)
            let got = try bytes.withFormatErrorBytes { (b) throws(FormatError) in try read(b) }
            guard got == count else {
                throw FormatError(
                    file: file, offset: offset + got, kind: .truncated, expected: "\(count) bytes of \(what)",
                    found: "\(got)")
            }
            return bytes
        }
        let magic = try readExactly(4, at: 0, "magic number")
        guard magic[0] == 0, magic[1] == 0 else {
            throw FormatError(
                file: file, offset: 0, kind: .invalidHeader, expected: "IDX magic 00 00 type ndim",
                found: "bytes " + magic.map { String($0, radix: 16) }.joined(separator: " "))
        }
        guard let type = ElementType(rawValue: magic[2]) else {
            throw FormatError(
                file: file, offset: 2, kind: .unsupportedDType, expected: "IDX type 08, 09, 0b, 0c, 0d or 0e",
                found: "0x" + String(magic[2], radix: 16))
        }
        let rank = Int(magic[3])
        guard rank >= 1 else {
            throw FormatError(file: file, offset: 3, kind: .invalidShape, expected: "at least one dimension", found: "0")
        }
        let sizes = try readExactly(4 * rank, at: 4, "dimension sizes")
        let dimensions = (0..<rank).map { (i: Int) -> Int in
            sizes[4 * i..<4 * i + 4].reduce(0) { $0 << 8 | Int($1) }
        }
        let dataStart = 4 + 4 * rank
        let size = try dataSize(type, dimensions, file: file, offset: 4)
        if let available, available - dataStart != size {
            throw FormatError(
                file: file, offset: min(available, dataStart + size),
                kind: available - dataStart < size ? .truncated : .unusedBytes,
                expected: "\(size) data bytes for dimensions \(dimensions)", found: "\(available - dataStart)")
        }
        // A plain file's size is known and checked above: one allocation. Gzip data is read in
        // chunks that double from 1 MB, so memory follows the data actually present (at most
        // twice it), never just the size a hostile header announces.
        var data = [UInt8]()
        var chunk = available == nil ? min(size, 1 << 20) : size
        while data.count < size {
            let n = min(chunk, size - data.count)
            var part = [UInt8](repeating: 0, count: n)
            let got = try part.withFormatErrorBytes { (b) throws(FormatError) in try read(b) }
            guard got == n else {
                throw FormatError(
                    file: file, offset: dataStart + data.count + got, kind: .truncated,
                    expected: "\(size) data bytes for dimensions \(dimensions)", found: "\(data.count + got)")
            }
            if data.isEmpty { data = part } else { data.append(contentsOf: part) }
            chunk *= 2
        }
        var extra: [UInt8] = [0]
        let more = try extra.withFormatErrorBytes { (b) throws(FormatError) in try read(b) }
        guard more == 0 else {
            throw FormatError(
                file: file, offset: dataStart + size, kind: .unusedBytes,
                expected: "the file to end after \(size) data bytes for dimensions \(dimensions)", found: "more bytes")
        }
        return IDXFile(validated: type, dimensions: dimensions, data: data)
    }

    private static func dataSize(
        _ type: ElementType, _ dimensions: [Int], file: String, offset: Int?
    ) throws(FormatError) -> Int {
        var n = type.byteCount
        // The size with every 0 read as 1 is limited too: zero images of 2³² × 2³² pixels hold
        // no data, but their pixel count per image would overflow (or be absurd) downstream.
        var nonzero = type.byteCount
        for d in dimensions {
            let (p, overflow) = n.multipliedReportingOverflow(by: d)
            let (q, nonzeroOverflow) = nonzero.multipliedReportingOverflow(by: Swift.max(d, 1))
            guard d >= 0, !overflow, !nonzeroOverflow, p <= maximumDataSize, q <= maximumDataSize else {
                throw FormatError(
                    file: file, offset: offset, kind: .invalidShape,
                    expected: "at most \(maximumDataSize) data bytes", found: "dimensions \(dimensions)")
            }
            n = p
            nonzero = q
        }
        return n
    }

    /// The plain (uncompressed) file bytes.
    public func encoded() -> [UInt8] {
        var out: [UInt8] = [0, 0, elementType.rawValue, UInt8(dimensions.count)]
        for d in dimensions { out += [UInt8(d >> 24 & 0xFF), UInt8(d >> 16 & 0xFF), UInt8(d >> 8 & 0xFF), UInt8(d & 0xFF)] }
        return out + data
    }

    /// Writes ``encoded()`` (uncompressed) to `path` atomically (see ``AtomicFile``).
    public func write(to path: String) throws(FormatError) {
        try AtomicFile.write(encoded(), to: path)
    }

    /// The elements as `T`, by value, in C order (any element type).
    @_specialize(where T == Float) @_specialize(where T == Double)
    public func scalars<T: Scalar>(as type: T.Type) -> [T] {
        let n = count
        return data.withUnsafeBytes { raw in
            switch elementType {
            case .uint8: return raw.map { T($0) }
            case .int8: return raw.map { T(Int8(bitPattern: $0)) }
            case .int16:
                return (0..<n).map { T(Int16(bigEndian: raw.loadUnaligned(fromByteOffset: 2 * $0, as: Int16.self))) }
            case .int32:
                return (0..<n).map { T(Int32(bigEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: Int32.self))) }
            case .float32:
                return (0..<n).map {
                    T(Float(bitPattern: UInt32(bigEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self))))
                }
            case .float64:
                return (0..<n).map {
                    T(Double(bitPattern: UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 8 * $0, as: UInt64.self))))
                }
            }
        }
    }
}
