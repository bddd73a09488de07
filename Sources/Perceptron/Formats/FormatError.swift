/// A file that cannot be read or written: the file, the byte offset, what was expected and
/// what was found.
///
/// Every reader in `Formats/` and `Datasets/` throws only this type. The source is a path, or
/// `"<memory>"` when bytes were decoded from a buffer.
public struct FormatError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The path of the file, or `"<memory>"`.
    public var file: String
    /// The byte offset of the problem in the (decompressed) file, when it has one.
    public var offset: Int?
    /// The class of problem, for callers that branch on it.
    public var kind: Kind
    /// What the format requires at this point, e.g. `"a JSON object"`.
    public var expected: String
    /// What the file holds instead, e.g. `"end of file"`.
    public var found: String

    /// The classes of problem a file can have.
    public enum Kind: String, Sendable, Equatable, CaseIterable {
        /// The file could not be opened, read, written or renamed (`found` holds `strerror`).
        case io = "I/O error"
        /// A file the caller asked for does not exist.
        case missingFile = "missing file"
        /// The file ends before a section it announces.
        case truncated = "truncated file"
        /// A header length exceeds the size limit for its format.
        case headerTooLarge = "header too large"
        /// A header that is not valid JSON, a valid `.npy` dictionary or a valid magic number.
        case invalidHeader = "invalid header"
        /// Bytes that are not valid UTF-8 where text is required.
        case invalidUTF8 = "invalid UTF-8"
        /// An element type this package does not read.
        case unsupportedDType = "unsupported dtype"
        /// A negative dimension, or a shape whose element or byte count overflows `Int`.
        case invalidShape = "invalid shape"
        /// A byte count that differs from `product(shape) · dtype size`.
        case sizeMismatch = "size mismatch"
        /// A data offset outside the data area, or `begin > end`.
        case offsetOutOfRange = "offset out of range"
        /// Two tensors whose byte ranges overlap.
        case overlappingTensors = "overlapping tensors"
        /// Bytes in the data area that no tensor covers, or bytes after the end of the data.
        case unusedBytes = "unused bytes"
        /// A tensor name that appears twice.
        case duplicateName = "duplicate name"
        /// A `.npy` file in Fortran (column-major) order.
        case fortranOrder = "Fortran order"
        /// A `.npy` file with big-endian elements.
        case bigEndian = "big-endian data"
        /// A gzip file in a build without the `Zlib` trait.
        case gzipUnavailable = "gzip unavailable"
        /// A gzip stream that is corrupt.
        case corruptCompressedData = "corrupt gzip data"
        /// Two files (or sections) whose element counts must agree and do not.
        case countMismatch = "count mismatch"
        /// A tensor whose dtype or shape differs from what the caller or the model requires.
        case tensorMismatch = "tensor mismatch"
        /// A tensor that a model's layer list requires and the file lacks.
        case missingTensor = "missing tensor"
        /// A tensor that no layer of the model uses.
        case unexpectedTensor = "unexpected tensor"
        /// Metadata that is missing, malformed or names something unknown.
        case invalidMetadata = "invalid metadata"
        /// A NaN or infinity where finite values are required.
        case nonFinite = "non-finite value"
    }

    /// Creates a format error.
    public init(file: String, offset: Int? = nil, kind: Kind, expected: String, found: String) {
        self.file = file
        self.offset = offset
        self.kind = kind
        self.expected = expected
        self.found = found
    }

    /// One line: `model.safetensors: byte 8: truncated file: expected a 120-byte header, found 40 bytes`.
    public var description: String {
        let at = offset.map { ": byte \($0)" } ?? ""
        return "\(file)\(at): \(kind.rawValue): expected \(expected), found \(found)"
    }
}
