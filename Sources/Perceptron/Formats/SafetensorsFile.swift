/// A safetensors file: named tensors and string metadata.
///
/// Layout: an 8-byte little-endian header length `n`, `n` bytes of JSON (UTF-8, padded with
/// spaces), then the data area. The header maps each tensor name to
/// `{"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}` (offsets relative to the
/// data area) and may hold `"__metadata__"`, an object of strings.
///
/// Reading checks every length against the buffer before allocating: the header length is at
/// most ``maximumHeaderSize`` and fits in the file; each tensor's byte size is
/// `product(shape) · dtype size`, computed without overflow, and equals `end − begin`; the
/// ranges lie in the data area, do not overlap, and cover it with no gap (as the reference
/// implementation requires); names are unique; the header is valid UTF-8 and JSON.
public struct SafetensorsFile: Sendable, Equatable {
    /// The tensors by name.
    public var tensors: [String: Tensor]
    /// The `__metadata__` strings (empty when the file has none).
    public var metadata: [String: String]

    /// The largest header accepted, in bytes (100 MB).
    public static let maximumHeaderSize = 100_000_000

    /// A file with the given tensors and metadata.
    public init(tensors: [String: Tensor] = [:], metadata: [String: String] = [:]) {
        self.tensors = tensors
        self.metadata = metadata
    }

    /// Reads and validates the file at `path`.
    /// - Throws: ``FormatError`` naming `path` and the byte offset of the first problem.
    public static func read(from path: String) throws(FormatError) -> SafetensorsFile {
        try decode(FileSystem.read(path), file: path)
    }

    /// Decodes and validates a whole file held in `bytes`.
    /// `file` names the source in errors.
    public static func decode(_ bytes: [UInt8], file: String = "<memory>") throws(FormatError) -> SafetensorsFile {
        let result: Result<SafetensorsFile, FormatError> = bytes.withUnsafeBytes { buffer in
            do throws(FormatError) { return .success(try decode(buffer, file: file)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    /// Decodes and validates a whole file held in `buffer`; the result owns copies of the data.
    /// `file` names the source in errors.
    public static func decode(_ buffer: UnsafeRawBufferPointer, file: String = "<memory>") throws(FormatError) -> SafetensorsFile {
        guard buffer.count >= 8 else {
            throw FormatError(
                file: file, offset: 0, kind: .truncated, expected: "an 8-byte header length",
                found: "\(buffer.count) bytes")
        }
        let announced = UInt64(littleEndian: buffer.loadUnaligned(fromByteOffset: 0, as: UInt64.self))
        guard announced <= UInt64(maximumHeaderSize) else {
            throw FormatError(
                file: file, offset: 0, kind: .headerTooLarge,
                expected: "a header length of at most \(maximumHeaderSize) bytes", found: "\(announced)")
        }
        let headerLength = Int(announced)
        guard headerLength <= buffer.count - 8 else {
            throw FormatError(
                file: file, offset: 0, kind: .truncated,
                expected: "a \(headerLength)-byte header after the length (header length past the end of the file)",
                found: "\(buffer.count - 8) bytes")
        }
        let header = UnsafeRawBufferPointer(rebasing: buffer[8..<8 + headerLength])
        if let bad = UTF8Validation.firstInvalidOffset(header) {
            throw FormatError(
                file: file, offset: 8 + bad, kind: .invalidUTF8, expected: "a UTF-8 JSON header",
                found: "byte 0x\(String(header[bad], radix: 16))")
        }
        guard case .object(let members) = try JSON.parse(header, file: file, baseOffset: 8) else {
            throw FormatError(file: file, offset: 8, kind: .invalidHeader, expected: "a JSON object", found: "another JSON value")
        }

        let dataStart = 8 + headerLength
        let dataSize = buffer.count - dataStart
        var metadata: [String: String] = [:]
        var entries: [(name: String, dtype: DType, shape: [Int], begin: Int, end: Int, offset: Int)] = []
        for member in members {
            if member.key == "__metadata__" {
                metadata = try parseMetadata(member, file: file)
                continue
            }
            let entry = try parseEntry(member, dataSize: dataSize, file: file)
            entries.append((member.key, entry.dtype, entry.shape, entry.begin, entry.end, member.offset))
        }

        // Sorted by range, each tensor must start where the previous one ended.
        let ordered = entries.sorted { ($0.begin, $0.end) < ($1.begin, $1.end) }
        var covered = 0
        for e in ordered {
            if e.begin < covered {
                throw FormatError(
                    file: file, offset: e.offset, kind: .overlappingTensors,
                    expected: "tensor \(JSON.quote(e.name)) to start at or after data offset \(covered)",
                    found: "data_offsets [\(e.begin), \(e.end)]")
            }
            if e.begin > covered {
                throw FormatError(
                    file: file, offset: dataStart + covered, kind: .unusedBytes,
                    expected: "tensor data to be contiguous", found: "a gap of \(e.begin - covered) bytes before \(JSON.quote(e.name))")
            }
            covered = e.end
        }
        guard covered == dataSize else {
            throw FormatError(
                file: file, offset: dataStart + covered, kind: .unusedBytes,
                expected: "the data area to end after the last tensor", found: "\(dataSize - covered) more bytes")
        }

        var tensors: [String: Tensor] = [:]
        tensors.reserveCapacity(entries.count)
        for e in entries {
            let data = Array(UnsafeRawBufferPointer(rebasing: buffer[dataStart + e.begin..<dataStart + e.end]))
            tensors[e.name] = Tensor(validatedDType: e.dtype, shape: e.shape, bytes: data)
        }
        return SafetensorsFile(tensors: tensors, metadata: metadata)
    }

    private static func parseMetadata(_ member: JSON.Member, file: String) throws(FormatError) -> [String: String] {
        guard case .object(let pairs) = member.value else {
            throw FormatError(
                file: file, offset: member.offset, kind: .invalidMetadata,
                expected: "__metadata__ to be an object of strings", found: member.value.summary)
        }
        var metadata: [String: String] = [:]
        for pair in pairs {
            guard case .string(let value) = pair.value else {
                throw FormatError(
                    file: file, offset: pair.offset, kind: .invalidMetadata,
                    expected: "a string value for __metadata__ key \(JSON.quote(pair.key))", found: pair.value.summary)
            }
            metadata[pair.key] = value
        }
        return metadata
    }

    private static func parseEntry(
        _ member: JSON.Member, dataSize: Int, file: String
    ) throws(FormatError) -> (dtype: DType, shape: [Int], begin: Int, end: Int) {
        let name = JSON.quote(member.key)
        func fail(_ kind: FormatError.Kind, _ expected: String, _ found: String) -> FormatError {
            FormatError(file: file, offset: member.offset, kind: kind, expected: expected, found: found)
        }
        guard case .object(let fields) = member.value else {
            throw fail(.invalidHeader, "tensor \(name) to be an object", member.value.summary)
        }
        var dtypeValue: JSON.Value?
        var shapeValue: JSON.Value?
        var offsetsValue: JSON.Value?
        for field in fields {
            switch field.key {
            case "dtype": dtypeValue = field.value
            case "shape": shapeValue = field.value
            case "data_offsets": offsetsValue = field.value
            default: throw fail(.invalidHeader, "only dtype, shape and data_offsets in tensor \(name)", "key \(JSON.quote(field.key))")
            }
        }
        guard case .string(let dtypeName) = dtypeValue else {
            throw fail(.invalidHeader, "a dtype string for tensor \(name)", dtypeValue?.summary ?? "none")
        }
        guard let dtype = DType(rawValue: dtypeName) else {
            throw fail(.unsupportedDType, "one of F16, BF16, F32, F64, I32, I64, U8 for tensor \(name)", JSON.quote(dtypeName))
        }
        guard case .array(let dims) = shapeValue else {
            throw fail(.invalidHeader, "a shape array for tensor \(name)", shapeValue?.summary ?? "none")
        }
        var shape: [Int] = []
        for d in dims {
            guard case .integer(let n) = d else {
                throw fail(.invalidShape, "integer dimensions for tensor \(name)", d.summary)
            }
            shape.append(n)
        }
        let byteCount = try Tensor.byteCount(dtype: dtype, shape: shape, file: file, offset: member.offset)
        guard case .array(let offsets) = offsetsValue, offsets.count == 2,
            case .integer(let begin) = offsets[0], case .integer(let end) = offsets[1]
        else {
            throw fail(.invalidHeader, "data_offsets [begin, end] of two integers for tensor \(name)", offsetsValue?.summary ?? "none")
        }
        guard begin >= 0, begin <= end, end <= dataSize else {
            throw fail(
                .offsetOutOfRange, "0 ≤ begin ≤ end ≤ \(dataSize) (the data area) for tensor \(name)",
                "data_offsets [\(begin), \(end)]")
        }
        guard end - begin == byteCount else {
            throw fail(
                .sizeMismatch, "\(byteCount) bytes for \(dtype) \(shape) in tensor \(name)",
                "data_offsets [\(begin), \(end)] spanning \(end - begin) bytes")
        }
        return (dtype, shape, begin, end)
    }

    /// The tensors in file order: as the `safetensors` Python package lays them out, larger
    /// dtypes first, then by name (byte order), so each tensor is aligned to its element size.
    var layoutOrder: [(name: String, tensor: Tensor)] {
        tensors.map { (name: $0.key, tensor: $0.value) }.sorted { a, b in
            let ra = a.tensor.dtype.safetensorsLayoutRank
            let rb = b.tensor.dtype.safetensorsLayoutRank
            return ra != rb ? ra < rb : Array(a.name.utf8).lexicographicallyPrecedes(Array(b.name.utf8))
        }
    }

    /// The file's bytes, laid out as the `safetensors` Python package writes them: compact JSON
    /// with `__metadata__` first (keys sorted), tensors larger dtypes first, then by name, the header padded
    /// with spaces to a multiple of 8 bytes.
    public func encoded() -> [UInt8] {
        var parts: [String] = []
        if !metadata.isEmpty {
            let pairs = metadata.sorted { Array($0.key.utf8).lexicographicallyPrecedes(Array($1.key.utf8)) }
                .map { "\(JSON.quote($0.key)):\(JSON.quote($0.value))" }
            parts.append("\"__metadata__\":{" + pairs.joined(separator: ",") + "}")
        }
        let ordered = layoutOrder
        var offset = 0
        for (name, t) in ordered {
            let shape = t.shape.map(String.init).joined(separator: ",")
            parts.append(
                "\(JSON.quote(name)):{\"dtype\":\"\(t.dtype.safetensorsName)\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(offset + t.bytes.count)]}"
            )
            offset += t.bytes.count
        }
        var header = Array(("{" + parts.joined(separator: ",") + "}").utf8)
        header.append(contentsOf: repeatElement(UInt8(ascii: " "), count: (8 - header.count % 8) % 8))
        var out = [UInt8]()
        out.reserveCapacity(8 + header.count + offset)
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(contentsOf: header)
        for (_, t) in ordered { out.append(contentsOf: t.bytes) }
        return out
    }

    /// Writes ``encoded()`` to `path` atomically (see ``AtomicFile``).
    public func write(to path: String) throws(FormatError) {
        try AtomicFile.write(encoded(), to: path)
    }
}
