import CAllocCounter
import Testing

@testable import Perceptron

private typealias Support = ReliabilitySupport

/// The readers the fuzzers cover, by the name of their corpus folder.
private enum Reader: String, CaseIterable, CustomTestStringConvertible {
    case safetensors = "Safetensors"
    case npy = "NPY"
    case idx = "IDX"
    case modelFile = "ModelFile"

    var testDescription: String { rawValue }

    /// Decodes `bytes`; on success, checks that writing the result and reading it back agrees.
    func decode(_ bytes: [UInt8]) throws(FormatError) {
        switch self {
        case .safetensors:
            let file = try SafetensorsFile.decode(bytes, file: "<test>")
            #expect(try SafetensorsFile.decode(file.encoded()) == file)
        case .npy:
            let tensor = try NPY.decode(bytes, file: "<test>")
            if let encoded = try? NPY.encode(tensor) { #expect(try NPY.decode(encoded) == tensor) }
        case .idx:
            let file = try IDXFile.decode(bytes, file: "<test>")
            #expect(try IDXFile.decode(file.encoded()) == file)
            #expect(file.scalars(as: Double.self).count == file.count)
        case .modelFile:
            let contents = try SafetensorsFile.decode(bytes, file: "<test>")
            switch try ModelFile.decode(contents, file: "<test>", backend: NaiveBackend()) {
            case .float32(let m): try roundTrip(m)
            case .float64(let m): try roundTrip(m)
            }
        }
    }

    /// Saving a loaded model and loading it again gives the same layers and loss.
    private func roundTrip<T: Scalar>(_ model: SavedModel<T>) throws(FormatError) {
        let saved = try SafetensorsFile.decode(ModelFile.encode(model.network, loss: model.loss).encoded())
        let again = try ModelFile.decode(saved, as: T.self, backend: NaiveBackend())
        #expect(again.network.layers == model.network.layers)
        #expect(again.loss == model.loss)
    }

    /// How many leading bytes of a valid file are structure (lengths, header, dimensions) rather
    /// than element data, whose mutation only changes values.
    func structureSize(_ bytes: [UInt8]) -> Int {
        switch self {
        case .safetensors, .modelFile:
            8 + bytes.withUnsafeBytes { Int(UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self))) }
        case .npy:
            bytes[6] == 1
                ? 10 + Int(bytes[8]) + Int(bytes[9]) << 8
                : 12 + bytes.withUnsafeBytes { Int(UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: 8, as: UInt32.self))) }
        case .idx:
            bytes.starts(with: [0x1F, 0x8B]) ? bytes.count : 4 + 4 * Int(bytes[3])
        }
    }

    /// Whether `decode` throws a ``FormatError`` (the only error type it can throw).
    func rejects(_ bytes: [UInt8]) -> Bool {
        do throws(FormatError) {
            try decode(bytes)
            return false
        } catch {
            #expect(error.file == "<test>", "error names the file: \(error)")
            #expect(!error.description.contains("\n"), "one line: \(error)")
            return true
        }
    }
}

/// Every seed file of every reader, as `(reader, path)`.
private let seeds: [(Reader, String)] = Reader.allCases.flatMap { r in Support.corpus(r.rawValue).map { (r, $0) } }

@Test func everySeedFileDecodes() throws {
    #expect(seeds.count >= 10)
    for (reader, path) in seeds {
        let bytes = try Support.bytes(path)
        // Without the Zlib trait a gzip file is rejected by design (gzipUnavailable).
        if !GzipReader.isAvailable, bytes.starts(with: [0x1f, 0x8b]) { continue }
        #expect(!reader.rejects(bytes), "\(path)")
    }
}

/// Truncation at every byte, not only at section boundaries: each reader requires the data to
/// end exactly where the header says, so every proper prefix must be rejected, with a typed error.
@Test(arguments: Reader.allCases)
private func everyProperPrefixOfAValidFileIsRejected(reader: Reader) throws {
    for path in Support.corpus(reader.rawValue) {
        let bytes = try Support.bytes(path)
        for cut in 0..<bytes.count {
            #expect(reader.rejects(Array(bytes.prefix(cut))), "\(path) cut at \(cut)")
        }
    }
}

/// A deterministic miniature of the fuzzers, run in every `swift test`: each structural byte
/// (lengths, header, dimensions; the first data byte too) of each seed file replaced by values
/// that hit parser edges (0, 0xFF, bit flips, digits, JSON punctuation). Each result must decode
/// consistently or throw a ``FormatError``; a trap fails the whole test run.
@Test(arguments: Reader.allCases)
private func singleByteMutationsOfValidFilesNeverTrap(reader: Reader) throws {
    var rejected = 0
    var accepted = 0
    for path in Support.corpus(reader.rawValue) {
        let original = try Support.bytes(path)
        for i in 0..<min(original.count, reader.structureSize(original) + 1) {
            let b = original[i]
            for v in Set([0x00, 0xFF, b ^ 0x01, b ^ 0x80, b &+ 1, 0x39, 0x2D, 0x22, 0x2C, 0x5D, 0x28]) {
                var mutated = original
                mutated[i] = v
                if reader.rejects(mutated) { rejected += 1 } else { accepted += 1 }
            }
        }
    }
    #expect(rejected > 0 && accepted > 0)
}

/// Inputs the fuzzers once crashed, hung or exhausted memory on, committed under
/// `Fixtures/Regressions/<reader>/`; each must now be rejected or read without trapping.
@Test(arguments: Reader.allCases)
private func fuzzerFindingsAreHandled(reader: Reader) throws {
    for path in Support.regressions(reader.rawValue) {
        _ = reader.rejects(try Support.bytes(path))
    }
}

// MARK: - Limits

/// A safetensors buffer with the given header text and data bytes.
private func safetensors(_ header: String, data: [UInt8] = [], announcing length: UInt64? = nil) -> [UInt8] {
    let h = Array(header.utf8)
    return withUnsafeBytes(of: (length ?? UInt64(h.count)).littleEndian) { Array($0) } + h + data
}

/// A version-2 `.npy` buffer (4-byte header length) with the given header text and data.
private func npy(_ header: String, data: [UInt8] = [], announcing length: UInt32? = nil) -> [UInt8] {
    let h = Array(header.utf8)
    return [0x93] + Array("NUMPY".utf8) + [2, 0] + withUnsafeBytes(of: (length ?? UInt32(h.count)).littleEndian) { Array($0) }
        + h + data
}

/// Bytes allocated on this thread while `body` runs.
private func bytesAllocated(_ body: () -> Void) -> UInt64 {
    let before = alloc_counter_bytes()
    body()
    return alloc_counter_bytes() - before
}

/// Lengths written inside a file are never trusted for allocation: a header or tensor that
/// announces gigabytes in a file of a few hundred bytes is rejected having allocated at most a
/// few kilobytes (the parse of the small header itself). Bound 64 KB: the JSON tree and the
/// error message of a 200-byte header need far less, a trusted length would need gigabytes.
@Test(.enabled(if: alloc_counter_enabled() != 0))
func announcedLengthsAreCheckedAgainstTheFileBeforeAllocating() {
    let hostile: [(String, [UInt8], FormatError.Kind)] = [
        ("safetensors header of 99 MB in a 10-byte file", safetensors("{}", announcing: 99_000_000), .truncated),
        ("safetensors header over the limit", safetensors("{}", announcing: UInt64.max), .headerTooLarge),
        (
            "safetensors tensor of 4 GB in a tiny file",
            safetensors(#"{"a":{"dtype":"F32","shape":[1073741824],"data_offsets":[0,4294967296]}}"#, data: [0, 0, 0, 0]),
            .offsetOutOfRange
        ),
        (
            "safetensors tensor whose byte count overflows",
            safetensors(#"{"a":{"dtype":"F64","shape":[2305843009213693952],"data_offsets":[0,8]}}"#, data: [UInt8](repeating: 0, count: 8)),
            .invalidShape
        ),
        ("npy header of 900 KB in a short file", npy("{}", announcing: 900_000), .truncated),
        ("npy header over the limit", npy("{}", announcing: UInt32.max), .headerTooLarge),
        (
            "npy array of 8 GB in a tiny file",
            npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1073741824,), }\n", data: [0, 0, 0, 0]),
            .truncated
        ),
    ]
    for (name, bytes, kind) in hostile {
        var thrown: FormatError?
        let allocated = bytesAllocated {
            do throws(FormatError) {
                if bytes[0] == 0x93 { _ = try NPY.decode(bytes) } else { _ = try SafetensorsFile.decode(bytes) }
            } catch { thrown = error }
        }
        #expect(thrown?.kind == kind, "\(name): \(String(describing: thrown))")
        #expect(allocated < 65_536, "\(name): \(allocated) bytes allocated")
    }
}

/// The safetensors header limit is exactly ``SafetensorsFile/maximumHeaderSize`` (100 MB): one
/// byte more is "too large" whatever the file holds; at the limit, a short file is "truncated".
@Test func safetensorsHeaderLimitIsOneHundredMegabytes() {
    #expect(SafetensorsFile.maximumHeaderSize == 100_000_000)
    let over = FormatTestSupport.formatError { () throws(FormatError) in
        try SafetensorsFile.decode(safetensors("{}", announcing: 100_000_001))
    }
    #expect(over?.kind == .headerTooLarge)
    #expect(over?.offset == 0)
    #expect(over?.description.contains("100000001") == true)
    let atLimit = FormatTestSupport.formatError { () throws(FormatError) in
        try SafetensorsFile.decode(safetensors("{}", announcing: 100_000_000))
    }
    #expect(atLimit?.kind == .truncated)
}

/// Element counts whose product, or byte count, overflows `Int` are rejected as shapes (not
/// wrapped into a small, plausible size), in both formats and in ``Tensor``'s initialiser.
@Test func elementCountsThatOverflowIntAreRejected() {
    // 2^32 · 2^31 = 2^63 overflows Int; 2^61 F32 elements overflow only as bytes.
    let shapes = ["[4294967296,2147483648]", "[2305843009213693952]", "[3,3074457345618258603]", "[0,4294967296,4294967296,4294967296]"]
    for shape in shapes {
        let st = FormatTestSupport.formatError { () throws(FormatError) in
            try SafetensorsFile.decode(safetensors(#"{"a":{"dtype":"F32","shape":\#(shape),"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0]))
        }
        let tuple = "(" + shape.dropFirst().dropLast() + ",)"
        let np = FormatTestSupport.formatError { () throws(FormatError) in
            try NPY.decode(npy("{'descr': '<f4', 'fortran_order': False, 'shape': \(tuple), }\n", data: [0, 0, 0, 0]))
        }
        // With a zero first the element count is 0, but the other dimensions' product
        // overflows: rejected too, as NumPy does ("array is too big").
        #expect(st?.kind == .invalidShape, "\(shape)")
        #expect(np?.kind == .invalidShape, "\(shape)")
    }
    let tensor = FormatTestSupport.formatError { () throws(FormatError) in
        try Tensor(dtype: .float64, shape: [Int.max / 4, 3], bytes: [])
    }
    #expect(tensor?.kind == .invalidShape)
}

/// An IDX image file announcing no images of 2³²−1 × 2³²−1 pixels holds no data, so its data
/// size is 0; the pixel count per image still overflows `Int` and must be rejected, not trap.
/// Likewise zero images of 65536 × 65536 pixels would make a 2³²-feature data set: rejected by
/// the data-size limit applied to the nonzero dimensions.
@Test func idxImagesWhosePixelCountOverflowsAreRejected() throws {
    let folder = FormatTestSupport.temporaryFolder()
    let labels = "\(folder)/labels"
    Support.write([0, 0, 8, 1, 0, 0, 0, 0], to: labels)
    for side: [UInt8] in [[0xFF, 0xFF, 0xFF, 0xFF], [0, 1, 0, 0]] {
        let images = "\(folder)/images"
        Support.write([0, 0, 8, 3, 0, 0, 0, 0] + side + side, to: images)
        let e = FormatTestSupport.formatError { () throws(FormatError) in
            try LabeledImages<Float>.read(images: images, labels: labels)
        }
        #expect(e?.kind == .invalidShape, "\(side): \(String(describing: e))")
        #expect(e?.file == images)
    }
}
