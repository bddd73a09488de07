#if Zlib
import CZlib
#endif

/// The only file that calls zlib: a gzip decompressor over a byte buffer in memory.
///
/// Swift types in, Swift types out: bytes go in as an `UnsafeRawBufferPointer`, come out into
/// caller-provided buffers, and every zlib status becomes a ``FormatError``. Without the `Zlib`
/// trait, creating a reader throws ``FormatError/Kind/gzipUnavailable``.
///
/// Calls `inflateInit2_` with `16 + MAX_WBITS` (gzip wrapper, CRC-32 and length checked by
/// zlib), `inflate`, `inflateReset` (concatenated gzip members) and `inflateEnd`.
final class GzipReader {
    /// Whether the package was built with the `Zlib` trait.
    #if Zlib
    static let isAvailable = true
    #else
    static let isAvailable = false
    #endif

    /// Whether `bytes` start with the gzip magic `1f 8b`.
    static func isGzip(_ bytes: UnsafeRawBufferPointer) -> Bool {
        bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B
    }

    private let input: UnsafeRawBufferPointer
    private let file: String
    /// Compressed bytes consumed so far.
    private var consumed = 0
    /// Decompressed bytes produced so far.
    private(set) var produced = 0
    private var memberEnded = false
    #if Zlib
    private let stream: UnsafeMutablePointer<z_stream>
    #endif

    /// A reader over the gzip data in `input`, which must stay valid while the reader is used.
    /// - Throws: ``FormatError``: ``FormatError/Kind/gzipUnavailable`` without the `Zlib` trait.
    init(_ input: UnsafeRawBufferPointer, file: String) throws(FormatError) {
        self.input = input
        self.file = file
        #if Zlib
        // zlib keeps a pointer back to the z_stream, so it must not move: heap-allocate it.
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        let status = inflateInit2_(stream, 16 + MAX_WBITS, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else {
            stream.deinitialize(count: 1)
            stream.deallocate()
            throw FormatError(file: file, kind: .io, expected: "zlib to initialise", found: "status \(status)")
        }
        #else
        throw FormatError(
            file: file, offset: 0, kind: .gzipUnavailable,
            expected: "an uncompressed file (reading gzip needs the Zlib trait: build with --traits default or --traits Zlib)",
            found: "gzip data")
        #endif
    }

    deinit {
        #if Zlib
        inflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
        #endif
    }

    /// Decompresses into `output` until it is full or the data ends; returns the bytes written,
    /// fewer than `output.count` only at the end of the last gzip member.
    /// - Throws: ``FormatError``: ``FormatError/Kind/truncated`` when the compressed data ends
    ///   inside a member, ``FormatError/Kind/corruptCompressedData`` when zlib rejects it (bad
    ///   header, bad block, CRC or length mismatch), ``FormatError/Kind/unusedBytes`` for
    ///   non-gzip bytes after a member.
    func read(into output: UnsafeMutableRawBufferPointer) throws(FormatError) -> Int {
        #if Zlib
        var filled = 0
        while filled < output.count {
            if memberEnded {
                let rest = UnsafeRawBufferPointer(rebasing: input[consumed...])
                if rest.isEmpty { break }
                guard GzipReader.isGzip(rest) else {
                    throw FormatError(
                        file: file, offset: consumed, kind: .unusedBytes,
                        expected: "the end of the gzip data or another gzip member", found: "\(rest.count) other bytes")
                }
                inflateReset(stream)
                memberEnded = false
            }
            let availableIn = min(input.count - consumed, Int(UInt32.max))
            let availableOut = min(output.count - filled, Int(UInt32.max))
            stream.pointee.next_in = UnsafeMutablePointer(
                mutating: (input.baseAddress.map { $0 + consumed } ?? UnsafeRawPointer(bitPattern: 1)!)
                    .assumingMemoryBound(to: Bytef.self))
            stream.pointee.avail_in = UInt32(availableIn)
            stream.pointee.next_out = (output.baseAddress! + filled).assumingMemoryBound(to: Bytef.self)
            stream.pointee.avail_out = UInt32(availableOut)
            let status = inflate(stream, Z_NO_FLUSH)
            consumed += availableIn - Int(stream.pointee.avail_in)
            let made = availableOut - Int(stream.pointee.avail_out)
            filled += made
            produced += made
            switch status {
            case Z_OK:
                continue
            case Z_STREAM_END:
                memberEnded = true
            case Z_BUF_ERROR where consumed == input.count:
                throw FormatError(
                    file: file, offset: consumed, kind: .truncated,
                    expected: "more gzip data (the stream ends inside a member)",
                    found: "end of file after \(produced) decompressed bytes")
            default:
                let message = stream.pointee.msg.map { String(cString: $0) } ?? "status \(status)"
                throw FormatError(
                    file: file, offset: consumed, kind: .corruptCompressedData,
                    expected: "valid gzip data", found: message)
            }
        }
        return filled
        #else
        return 0
        #endif
    }
}
