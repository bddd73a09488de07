import Testing

@testable import Perceptron

private typealias Support = FormatTestSupport

private func decodeError(_ bytes: [UInt8]) -> FormatError? {
    Support.formatError { () throws(FormatError) in try IDXFile.decode(bytes) }
}

private let tinyImages = Support.fixture("mnist-tiny/train-images-idx3-ubyte.gz")

@Test func idxRoundTripsEveryElementType() throws {
    for type in IDXFile.ElementType.allCases {
        for dimensions in [[0], [1], [3, 1, 5], [2, 7]] {
            var g = SeededGenerator(seed: 1)
            let n = dimensions.reduce(1, *) * type.byteCount
            let data = (0..<n).map { _ in UInt8(truncatingIfNeeded: g.next()) }
            let file = try IDXFile(elementType: type, dimensions: dimensions, data: data)
            #expect(try IDXFile.decode(file.encoded()) == file)
        }
    }
}

@Test func idxDecodesBigEndianValues() throws {
    let ints = try IDXFile(elementType: .int16, dimensions: [2], data: [0xFF, 0xFE, 0x01, 0x00])
    #expect(ints.scalars(as: Double.self) == [-2, 256])
    let floats = try IDXFile(elementType: .float32, dimensions: [1], data: [0x3F, 0x80, 0, 0])
    #expect(floats.scalars(as: Float.self) == [1])
}

@Test(.enabled(if: GzipReader.isAvailable, "needs the Zlib trait"))
func gzipIDXWrittenByPythonReadsBack() throws {
    let file = try IDXFile.read(from: tinyImages)
    #expect(file.elementType == .uint8 && file.dimensions == [4, 2, 3])
    // pixel (n, r, c) = 40 n + 10 r + c, as make_fixtures.py writes it.
    var expected: [UInt8] = []
    for n in 0..<4 { for r in 0..<2 { for c in 0..<3 { expected.append(UInt8(40 * n + 10 * r + c)) } } }
    #expect(file.data == expected)
}

@Test(.enabled(if: GzipReader.isAvailable, "needs the Zlib trait"))
func truncatedGzipThrowsTruncatedAtEveryCut() throws {
    let bytes = try FileSystem.read(tinyImages)
    // Every prefix past the gzip magic: in the header, the deflate blocks and the CRC/size trailer.
    for cut in 2..<bytes.count {
        let e = decodeError(Array(bytes.prefix(cut)))
        #expect(e?.kind == .truncated || e?.kind == .corruptCompressedData, "cut at \(cut)")
    }
    let e = decodeError(Array(bytes.dropLast(1)))
    #expect(e?.kind == .truncated)
    #expect(e?.description.contains("gzip") == true)
}

@Test(.enabled(if: GzipReader.isAvailable, "needs the Zlib trait"))
func corruptGzipIsRejected() throws {
    var bytes = try FileSystem.read(tinyImages)
    bytes[bytes.count - 6] ^= 0xFF  // inside the CRC-32
    #expect(decodeError(bytes)?.kind == .corruptCompressedData)
    let trailing = try FileSystem.read(tinyImages) + [1, 2, 3]
    #expect(decodeError(trailing)?.kind == .unusedBytes)
    let twice = try FileSystem.read(tinyImages) + (try FileSystem.read(tinyImages))
    // Two gzip members decompress to two IDX files back to back: the second is unused bytes.
    #expect(decodeError(twice)?.kind == .unusedBytes)
}

@Test func plainIDXTruncatedAtEverySectionBoundaryThrowsTruncated() throws {
    let bytes = try IDXFile(elementType: .uint8, dimensions: [2, 3], data: Array(0..<6)).encoded()
    for cut in [0, 2, 3, 4, 7, 8, 11, 12, 17] {
        #expect(decodeError(Array(bytes.prefix(cut)))?.kind == .truncated, "cut at \(cut)")
    }
    #expect(decodeError(bytes + [0])?.kind == .unusedBytes)
}

@Test func idxHeaderProblemsAreTyped() {
    #expect(decodeError([1, 0, 8, 1, 0, 0, 0, 0])?.kind == .invalidHeader)
    #expect(decodeError([0, 0, 7, 1, 0, 0, 0, 0])?.kind == .unsupportedDType)
    #expect(decodeError([0, 0, 8, 0])?.kind == .invalidShape)
    // 2^32−1 × 2^32−1 × 8 bytes overflows; 2^31 bytes exceeds the 1 GiB limit. Neither allocates.
    let overflow = decodeError([0, 0, 0x0E, 2, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF])
    #expect(overflow?.kind == .invalidShape)
    #expect(decodeError([0, 0, 8, 1, 0x80, 0, 0, 0])?.kind == .invalidShape)
}

@Test(.enabled(if: GzipReader.isAvailable, "needs the Zlib trait"))
func hostileGzipCannotClaimMoreThanItHolds() throws {
    // A header announcing 1 GiB, gzip-compressed, with no data: truncated, not an allocation of 1 GiB.
    let header: [UInt8] = [0, 0, 8, 1, 0x40, 0, 0, 0]
    let gz = Support.gzip(header)
    #expect(decodeError(gz)?.kind == .truncated)
}

#if !Zlib
@Test func gzipWithoutZlibTraitThrowsNamingTheTrait() throws {
    let e = Support.formatError { () throws(FormatError) in try IDXFile.read(from: tinyImages) }
    #expect(e?.kind == .gzipUnavailable)
    #expect(e?.description.contains("Zlib trait") == true)
}
#endif
