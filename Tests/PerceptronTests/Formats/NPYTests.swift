import Testing

@testable import Perceptron

private typealias Support = FormatTestSupport

private func decodeError(_ bytes: [UInt8]) -> FormatError? {
    Support.formatError { () throws(FormatError) in try NPY.decode(bytes) }
}

/// A version-1.0 `.npy` buffer with the given header text (padded as numpy pads) and data.
private func rawNPY(_ header: String, data: [UInt8] = []) -> [UInt8] {
    var h = Array(header.utf8)
    h.append(contentsOf: repeatElement(UInt8(ascii: " "), count: (64 - (10 + h.count + 1) % 64) % 64))
    h.append(UInt8(ascii: "\n"))
    return [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(h.count & 0xFF), UInt8(h.count >> 8)] + h + data
}

@Test(arguments: [[0], [1], [1, 1], [3, 5], [7], [], [2, 1, 3]])
func npyRoundTripsFloatAndDouble(shape: [Int]) throws {
    var g = SeededGenerator(seed: 9)
    let n = shape.reduce(1, *)
    let f: [Float] = (0..<n).map { _ in g.uniform(-1, 1) }
    let d: [Double] = (0..<n).map { _ in g.uniform(-1, 1) }
    for tensor in [try Tensor(f, shape: shape), try Tensor(d, shape: shape)] {
        let bytes = try NPY.encode(tensor)
        #expect((bytes.count - tensor.bytes.count) % 64 == 0)
        #expect(try NPY.decode(bytes) == tensor)
    }
}

@Test func npyRoundTripsIntegerTensors() throws {
    for dtype in [DType.int32, .int64, .uint8] {
        let t = try Tensor(integers: [0, 1, 255, 7], shape: [2, 2], dtype: dtype)
        #expect(try NPY.decode(NPY.encode(t)) == t)
    }
}

@Test func filesWrittenByNumPyReadBackWithValues() throws {
    func read(_ name: String) throws -> Tensor { try NPY.read(from: Support.fixture(name)) }
    #expect(try read("f32_2x3.npy").matrix(as: Float.self) == (try Matrix(rows: 2, columns: 3, elements: Support.fixtureFloats(6))))
    let scalar = try read("f64_scalar.npy")
    #expect(scalar.shape == [] && scalar.dtype == .float64)
    #expect(try scalar.scalars(as: Double.self) == [-0.75])
    #expect(try read("f64_1x1.npy").matrix(as: Double.self).shape == [1, 1])
    #expect(try read("f16_5.npy").scalars(as: Float.self) == Support.fixtureFloats(5))
    let column = try read("i32_3x1.npy")
    #expect(column.shape == [3, 1])
    #expect(try column.integers() == [-3, -2, -1])
    #expect(try read("i64_7.npy").integers() == [-3, -2, -1, 0, 1, 2, 3])
    #expect(try read("u8_0.npy").shape == [0])
    #expect(try read("u8_2x2x3.npy").integers() == Array(0..<12))
    #expect(try read("f32_v2_3.npy").scalars(as: Float.self) == Support.fixtureFloats(3))
    #expect(try read("f64_v3_2x2.npy").scalars(as: Double.self) == Support.fixtureFloats(4))
}

@Test(arguments: ["f32_2x3.npy", "f64_scalar.npy", "f64_1x1.npy", "f16_5.npy", "i32_3x1.npy", "i64_7.npy", "u8_0.npy", "u8_2x2x3.npy"])
func encodingANumPyFileReproducesItsBytes(name: String) throws {
    let bytes = try FileSystem.read(Support.fixture(name))
    #expect(try NPY.encode(NPY.decode(bytes)) == bytes)
}

@Test func fortranOrderIsRejectedWithAdvice() {
    let e = Support.formatError { () throws(FormatError) in try NPY.read(from: Support.fixture("f64_fortran_2x3.npy")) }
    #expect(e?.kind == .fortranOrder)
    #expect(e?.description.contains("f64_fortran_2x3.npy") == true)
    #expect(e?.description.contains("C order") == true)
    // One non-trivial dimension: Fortran and C order lay out the same bytes.
    let vector = rawNPY("{'descr': '<f4', 'fortran_order': True, 'shape': (1, 2), }", data: [0, 0, 0x80, 0x3F, 0, 0, 0, 0x40])
    #expect((try? NPY.decode(vector).scalars(as: Float.self)) == [1, 2])
}

@Test func bigEndianIsRejectedWithAdvice() {
    let e = Support.formatError { () throws(FormatError) in try NPY.read(from: Support.fixture("f32_big_endian_3.npy")) }
    #expect(e?.kind == .bigEndian)
    #expect(e?.description.contains("'>f4'") == true)
}

@Test func nativeAndByteOrderFreeDescriptorsAreAccepted() throws {
    let one = rawNPY("{'descr': '=f4', 'fortran_order': False, 'shape': (1,), }", data: [0, 0, 0x80, 0x3F])
    #expect(try NPY.decode(one).scalars(as: Float.self) == [1])
    for descr in ["|u1", "<u1", "=u1", ">u1"] {
        let bytes = rawNPY("{\"descr\": \"\(descr)\", \"shape\": (2L,), \"fortran_order\": False}", data: [7, 9])
        #expect(try NPY.decode(bytes).integers() == [7, 9], "\(descr)")
    }
    for descr in ["|f4", "<u4", "<c8", "<f16", "O"] {
        let bytes = rawNPY("{'descr': '\(descr)', 'fortran_order': False, 'shape': (0,), }")
        #expect(decodeError(bytes)?.kind == .unsupportedDType, "\(descr)")
    }
}

@Test func npyTruncationAtEverySectionBoundaryThrowsTyped() throws {
    let bytes = try NPY.encode(try Tensor([1, 2, 3] as [Float], shape: [3]))
    let dataStart = bytes.count - 12
    let expectations: [(Int, FormatError.Kind)] = [
        (0, .truncated), (5, .truncated), (8, .truncated), (9, .truncated), (10, .truncated),
        (dataStart - 1, .truncated), (dataStart, .truncated), (bytes.count - 1, .truncated),
    ]
    for (cut, kind) in expectations {
        #expect(decodeError(Array(bytes.prefix(cut)))?.kind == kind, "cut at \(cut)")
    }
    #expect(decodeError(bytes + [0])?.kind == .unusedBytes)
    #expect(decodeError(Array(bytes.prefix(dataStart)))?.description.contains("12 data bytes") == true)
}

@Test func npyHeaderLengthPastTheEndIsRejected() throws {
    var bytes = try NPY.encode(try Tensor([1] as [Float], shape: [1]))
    bytes[8] = 0xFF
    bytes[9] = 0xFF
    let e = decodeError(bytes)
    #expect(e?.kind == .truncated)
    #expect(e?.description.contains("header length past the end") == true)
    bytes[6] = 2  // version 2: a 4-byte length 0x????FFFF far beyond the limit
    bytes[10] = 0xFF
    bytes[11] = 0x7F
    #expect(decodeError(bytes)?.kind == .headerTooLarge)
}

@Test func npyGarbageHeadersAreRejected() {
    #expect(decodeError(Array("NUMPY\u{1}\u{0}xxxxxxxx".utf8))?.kind == .invalidHeader)
    let headers = [
        "{'descr': '<f4', 'fortran_order': False}",
        "{'descr': '<f4', 'fortran_order': Maybe, 'shape': (1,)}",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (1)}",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'extra': 1}",
        "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (1,)}",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (1,)} trailing",
        "['descr']",
    ]
    for header in headers {
        #expect(decodeError(rawNPY(header, data: [0, 0, 0, 0]))?.kind == .invalidHeader, "\(header)")
    }
    var version = rawNPY("{'descr': '<f4', 'fortran_order': False, 'shape': (), }", data: [0, 0, 0, 0])
    version[6] = 4
    #expect(decodeError(version)?.description.contains("version 4.0") == true)
}

@Test func npyShapeOverflowAndInvalidUTF8AreRejected() {
    let overflow = rawNPY("{'descr': '<f8', 'fortran_order': False, 'shape': (4611686018427387904, 4), }")
    #expect(decodeError(overflow)?.kind == .invalidShape)
    let tooManyDigits = rawNPY("{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999999999999,), }")
    #expect(decodeError(tooManyDigits)?.kind == .invalidShape)
    // Version 3.0: a 4-byte length and a UTF-8 header; 0xFF is never valid UTF-8.
    var header = Array("{'descr': '<f4', 'fortran_order': False, 'shape': (), }".utf8) + [0xFF]
    header += Array(repeating: UInt8(ascii: " "), count: 128 - 12 - header.count - 1) + [UInt8(ascii: "\n")]
    let v3 = [0x93] + Array("NUMPY".utf8) + [3, 0, UInt8(header.count), 0, 0, 0] + header + [0, 0, 0, 0]
    let e = decodeError(v3)
    #expect(e?.kind == .invalidUTF8)
    #expect(e?.offset == 12 + header.firstIndex(of: 0xFF)!)
    var latin = rawNPY("{'descr': '<f4', 'fortran_order': False, 'shape': (), }", data: [0, 0, 0, 0])
    latin[15] = 0xE9
    #expect(decodeError(latin)?.kind == .invalidUTF8)
}

@Test func bfloat16CannotBeSavedAsNPY() throws {
    let t = try Tensor(dtype: .bfloat16, shape: [1], bytes: [0x80, 0x3F])
    #expect(Support.formatError { () throws(FormatError) in try NPY.encode(t) }?.kind == .unsupportedDType)
}
