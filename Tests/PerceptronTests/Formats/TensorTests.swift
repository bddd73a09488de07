import Testing

@testable import Perceptron

@Test(arguments: [[0], [1], [1, 1], [3, 5], [7], [], [2, 0, 3]])
func tensorFromScalarsRoundTripsForFloatAndDouble(shape: [Int]) throws {
    try roundTrip(Float.self, shape)
    try roundTrip(Double.self, shape)
    func roundTrip<T: Scalar>(_: T.Type, _ shape: [Int]) throws {
        let n = shape.reduce(1, *)
        var g = SeededGenerator(seed: 11)
        let values: [T] = (0..<n).map { _ in g.uniform(-2, 2) }
        let tensor = try Tensor(values, shape: shape)
        #expect(tensor.dtype == DType(T.precision))
        #expect(tensor.count == n)
        #expect(try tensor.scalars(as: T.self) == values)
    }
}

@Test func matrixRoundTripsThroughTensor() throws {
    var g = SeededGenerator(seed: 3)
    let m: Matrix<Double> = g.uniformMatrix(rows: 3, columns: 5, in: -1, 1)
    let t = Tensor(m)
    #expect(t.shape == [3, 5])
    #expect(try t.matrix(as: Double.self) == m)
}

@Test func narrowingOrIntegerConversionNeedsConverting() throws {
    let t = try Tensor([1.5, -2] as [Double], shape: [2])
    let e = FormatTestSupport.formatError { () throws(FormatError) in try t.scalars(as: Float.self) }
    #expect(e?.kind == .tensorMismatch)
    #expect(e?.description.contains("float64") == true)
    #expect(try t.scalars(as: Float.self, converting: true) == [1.5, -2])
    let labels = try Tensor(integers: [0, 9, 3], shape: [3], dtype: .int64)
    #expect(try labels.integers() == [0, 9, 3])
    #expect(FormatTestSupport.formatError { () throws(FormatError) in try labels.scalars(as: Double.self) }?.kind == .tensorMismatch)
    #expect(try labels.scalars(as: Double.self, converting: true) == [0, 9, 3])
    #expect(FormatTestSupport.formatError { () throws(FormatError) in try t.integers() }?.kind == .tensorMismatch)
}

@Test func matrixOfNonRankTwoTensorThrowsNamingShape() throws {
    let t = try Tensor([1, 2, 3] as [Float], shape: [3])
    let e = FormatTestSupport.formatError { () throws(FormatError) in try t.matrix(as: Float.self) }
    #expect(e?.kind == .tensorMismatch)
    #expect(e?.description.contains("[3]") == true)
}

@Test func byteCountMismatchAndOverflowAreRejected() {
    let short = FormatTestSupport.formatError { () throws(FormatError) in
        try Tensor(dtype: .float32, shape: [2, 2], bytes: [0, 0, 0, 0])
    }
    #expect(short?.kind == .sizeMismatch)
    let overflow = FormatTestSupport.formatError { () throws(FormatError) in
        try Tensor(dtype: .float64, shape: [Int.max / 2, 3], bytes: [])
    }
    #expect(overflow?.kind == .invalidShape)
    #expect(overflow?.description.contains("overflow") == true)
    let negative = FormatTestSupport.formatError { () throws(FormatError) in
        try Tensor(dtype: .uint8, shape: [-1], bytes: [])
    }
    #expect(negative?.kind == .invalidShape)
}

@Test func halfPrecisionDecodesExactly() {
    // binary16 bit patterns and their exact values: 1, −2, 65504 (max), 2^-24 (min subnormal), 0.
    let cases: [(UInt16, Float)] = [(0x3C00, 1), (0xC000, -2), (0x7BFF, 65504), (0x0001, 0x1p-24), (0x0000, 0)]
    for (bits, value) in cases { #expect(Tensor.halfToFloat(bits) == value) }
    #expect(Tensor.halfToFloat(0x7C00) == .infinity)
    #expect(Tensor.halfToFloat(0x7E00).isNaN)
}
