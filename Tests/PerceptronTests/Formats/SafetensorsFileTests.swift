import Testing

@testable import Perceptron

private typealias Support = FormatTestSupport

/// A safetensors buffer with the given header text and data bytes.
private func rawFile(_ header: String, data: [UInt8] = []) -> [UInt8] {
    let h = Array(header.utf8)
    return withUnsafeBytes(of: UInt64(h.count).littleEndian) { Array($0) } + h + data
}

private func decodeError(_ bytes: [UInt8]) -> FormatError? {
    Support.formatError { () throws(FormatError) in try SafetensorsFile.decode(bytes) }
}

@Test(arguments: [[0], [1], [1, 1], [3, 5], [7], []])
func safetensorsRoundTripsFloatAndDouble(shape: [Int]) throws {
    var g = SeededGenerator(seed: 5)
    let n = shape.reduce(1, *)
    let f: [Float] = (0..<n).map { _ in g.uniform(-1, 1) }
    let d: [Double] = (0..<n).map { _ in g.uniform(-1, 1) }
    let file = SafetensorsFile(
        tensors: ["f": try Tensor(f, shape: shape), "d": try Tensor(d, shape: shape)],
        metadata: ["k": "v"])
    let back = try SafetensorsFile.decode(file.encoded())
    #expect(back == file)
    #expect(try back.tensors["f"]?.scalars(as: Float.self) == f)
    #expect(try back.tensors["d"]?.scalars(as: Double.self) == d)
}

@Test func safetensorsHeaderIsPaddedToMultipleOfEight() throws {
    for name in ["a", "ab", "abc", "abcd", "abcde", "abcdef", "abcdefg", "abcdefgh"] {
        let bytes = SafetensorsFile(tensors: [name: try Tensor([1] as [Float], shape: [1])]).encoded()
        let n = bytes.withUnsafeBytes { Int(UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self))) }
        #expect(n % 8 == 0)
        #expect(bytes.count == 8 + n + 4)
    }
}

@Test func filesWrittenByPythonSafetensorsReadBackWithValues() throws {
    let file = try SafetensorsFile.read(from: Support.fixture("mixed.safetensors"))
    #expect(file.metadata == ["note": "ünïcode ✓ \"quoted\"\ttab"])
    #expect(Set(file.tensors.keys) == ["weight", "bias", "double", "half", "labels", "count", "pixels", "empty", "scalar"])
    let weight = try #require(file.tensors["weight"])
    #expect(weight.dtype == .float32 && weight.shape == [2, 3])
    #expect(try weight.matrix(as: Float.self).elements == Support.fixtureFloats(6, as: Float.self))
    #expect(try file.tensors["bias"]?.scalars(as: Float.self) == Support.fixtureFloats(2))
    #expect(try file.tensors["double"]?.matrix(as: Double.self).shape == [1, 1])
    #expect(try file.tensors["half"]?.scalars(as: Float.self) == Support.fixtureFloats(4))
    #expect(try file.tensors["labels"]?.integers() == [-3, -2, -1])
    #expect(try file.tensors["count"]?.integers() == [-3, -2])
    #expect(try file.tensors["pixels"]?.integers() == [0, 1, 2, 3, 4])
    #expect(file.tensors["empty"]?.shape == [0])
    #expect(file.tensors["scalar"]?.shape == [])
    #expect(try file.tensors["scalar"]?.scalars(as: Double.self) == [-0.75])
    let bf16 = try SafetensorsFile.read(from: Support.fixture("bf16.safetensors"))
    #expect(try bf16.tensors["b"]?.scalars(as: Float.self) == Support.fixtureFloats(3))
}

@Test(arguments: ["mixed.safetensors", "bf16.safetensors"])
func encodingAPythonFileReproducesItsBytes(name: String) throws {
    let bytes = try FileSystem.read(Support.fixture(name))
    #expect(try SafetensorsFile.decode(bytes).encoded() == bytes)
}

@Test func truncationAtEverySectionBoundaryThrowsTyped() throws {
    let bytes = SafetensorsFile(tensors: ["w": try Tensor([1, 2, 3] as [Float], shape: [3])]).encoded()
    let headerEnd = bytes.count - 12
    // In the length prefix, in the header, at the header's end, inside the data.
    for cut in [0, 4, 7, 8, 12, headerEnd - 1, headerEnd, headerEnd + 5, bytes.count - 1] {
        let e = decodeError(Array(bytes.prefix(cut)))
        let expectedKind: FormatError.Kind = cut >= headerEnd ? .offsetOutOfRange : .truncated
        #expect(e?.kind == expectedKind, "cut at \(cut)")
        #expect(e?.file == "<memory>")
    }
    #expect(decodeError(Array(bytes.prefix(3)))?.description == "<memory>: byte 0: truncated file: expected an 8-byte header length, found 3 bytes")
}

@Test func headerLengthPastTheEndOrHugeIsRejectedBeforeAllocating() {
    var bytes = rawFile("{}")
    bytes.replaceSubrange(0..<8, with: withUnsafeBytes(of: UInt64(1000).littleEndian) { Array($0) })
    let past = decodeError(bytes)
    #expect(past?.kind == .truncated)
    #expect(past?.description.contains("header length past the end") == true)
    bytes.replaceSubrange(0..<8, with: [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF])
    #expect(decodeError(bytes)?.kind == .headerTooLarge)
}

@Test func garbageJSONThrowsNamingOffset() {
    let e = decodeError(rawFile("{\"a\": {\"dtype\": F32}}"))
    #expect(e?.kind == .invalidHeader)
    #expect(e?.offset == 8 + 16)  // the F of F32
    #expect(decodeError(rawFile("[1, 2]"))?.kind == .invalidHeader)
    #expect(decodeError(rawFile("{\"a\": 1} x"))?.kind == .invalidHeader)
    #expect(decodeError(rawFile(String(repeating: "[", count: 10_000)))?.description.contains("nesting") == true)
}

@Test func offsetsOutOfRangeNegativeOrReversedAreRejected() {
    let four = [UInt8](repeating: 0, count: 4)
    for offsets in ["[0, 8]", "[-4, 0]", "[4, 0]", "[0, 1e1]"] {
        let e = decodeError(rawFile("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":\(offsets)}}", data: four))
        #expect(e?.kind == .offsetOutOfRange || e?.kind == .invalidHeader, "\(offsets)")
        #expect(e?.description.contains("data_offsets") == true)
    }
}

@Test func overlappingTensorsAreRejected() {
    let header = """
        {"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}
        """
    let e = decodeError(rawFile(header, data: [UInt8](repeating: 0, count: 8)))
    #expect(e?.kind == .overlappingTensors)
    #expect(e?.description.contains("\"b\"") == true)
}

@Test func gapsAndTrailingBytesAreRejected() {
    let gap = #"{"a":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}}"#
    #expect(decodeError(rawFile(gap, data: [0, 0]))?.kind == .unusedBytes)
    let trailing = #"{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}"#
    #expect(decodeError(rawFile(trailing, data: [0, 0]))?.kind == .unusedBytes)
}

@Test func dtypeSizeInconsistentWithShapeIsRejected() {
    let header = #"{"a":{"dtype":"F64","shape":[2],"data_offsets":[0,8]}}"#
    let e = decodeError(rawFile(header, data: [UInt8](repeating: 0, count: 8)))
    #expect(e?.kind == .sizeMismatch)
    #expect(e?.description.contains("16 bytes") == true)
    let unknown = #"{"a":{"dtype":"Q8","shape":[1],"data_offsets":[0,1]}}"#
    #expect(decodeError(rawFile(unknown, data: [0]))?.kind == .unsupportedDType)
}

@Test func shapeWhoseProductOverflowsIntIsRejected() {
    let header = #"{"a":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,4]}}"#
    let e = decodeError(rawFile(header, data: [0, 0, 0, 0]))
    #expect(e?.kind == .invalidShape)
    #expect(e?.description.contains("overflow") == true)
    let huge = #"{"a":{"dtype":"F32","shape":[99999999999999999999],"data_offsets":[0,4]}}"#
    #expect(decodeError(rawFile(huge, data: [0, 0, 0, 0]))?.kind == .invalidHeader)
    let negative = #"{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,0]}}"#
    #expect(decodeError(rawFile(negative))?.kind == .invalidShape)
}

@Test func duplicateTensorNamesAreRejected() {
    let header = #"{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"a":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}}"#
    let e = decodeError(rawFile(header, data: [0, 0]))
    #expect(e?.kind == .duplicateName)
    #expect(e?.description.contains("\"a\" twice") == true)
}

@Test func invalidUTF8InHeaderIsRejectedNamingOffset() {
    var bytes = rawFile(#"{"a\#u{e9}":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}"#, data: [0])
    // Replace the two-byte é (C3 A9) with a lone continuation byte and an ASCII byte.
    let at = bytes.firstIndex(of: 0xC3)!
    bytes[at] = 0xA9
    bytes[at + 1] = 0x41
    let e = decodeError(bytes)
    #expect(e?.kind == .invalidUTF8)
    #expect(e?.offset == at)
    let surrogate = rawFile(#"{"__metadata__":{"k":"\ud800"}}"#)
    #expect(decodeError(surrogate)?.kind == .invalidUTF8)
}

@Test func metadataMustBeStringToString() {
    #expect(decodeError(rawFile(#"{"__metadata__":{"k":1}}"#))?.kind == .invalidMetadata)
    #expect(decodeError(rawFile(#"{"__metadata__":[]}"#))?.kind == .invalidMetadata)
}

@Test func safetensorsWriteGoesToDiskAndReadsBack() throws {
    let folder = Support.temporaryFolder()
    let path = "\(folder)/m.safetensors"
    let file = SafetensorsFile(tensors: ["x": try Tensor([1, 2] as [Double], shape: [1, 2])])
    try file.write(to: path)
    #expect(try SafetensorsFile.read(from: path) == file)
    #expect(Support.listing(folder) == ["m.safetensors"])
    let missing = Support.formatError { () throws(FormatError) in try SafetensorsFile.read(from: "\(folder)/nope") }
    #expect(missing?.kind == .missingFile)
    #expect(missing?.description.contains("\(folder)/nope") == true)
}

@Test func metadataStringsRoundTripWhateverTheirCharacters() throws {
    var g = SeededGenerator(seed: 12)
    // Control characters, quotes, backslashes, non-BMP scalars (surrogate pairs when escaped).
    let alphabet: [Unicode.Scalar] = ["\0", "\u{1}", "\u{1f}", "\"", "\\", "/", "\n", "\t", "a", "é", "✓", "\u{1F600}", "\u{7f}"]
    for _ in 0..<50 {
        var s = ""
        for _ in 0..<Int(g.next() % 12) { s.unicodeScalars.append(alphabet[Int(g.next() % UInt64(alphabet.count))]) }
        let file = SafetensorsFile(metadata: [s: s])
        #expect(try SafetensorsFile.decode(file.encoded()) == file)
    }
    let escaped = rawFile(#"{"__metadata__":{"k":"\u00e9\ud83d\ude00\/"}}"#)
    #expect(try SafetensorsFile.decode(escaped).metadata["k"] == "é\u{1F600}/")
}
