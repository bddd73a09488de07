import Testing

@testable import Perceptron

@Test func elementCountMismatchNamesTheShapeAndCount() {
    #expect {
        try Matrix<Float>(rows: 2, columns: 3, elements: [1, 2, 3, 4, 5])
    } throws: { error in
        "\(error)" == "Matrix.init: matrix [2, 3]: 5 elements given, 2 × 3 needed"
    }
}

@Test func raggedRowsNameBothRowLengths() {
    #expect {
        try Matrix<Double>([[1, 2], [3, 4], [5]])
    } throws: { error in
        "\(error)" == "Matrix.init: row 0 [2], row 2 [1]: rows differ in length"
    }
}

@Test func reshapeMismatchNamesTheCounts() throws {
    let m = try Matrix<Float>([[1, 2, 3], [4, 5, 6]])
    #expect(try m.reshaped(rows: 3, columns: 2).row(2) == [5, 6])
    #expect(throws: ShapeError.self) { try m.reshaped(rows: 4, columns: 2) }
}

@Test func elementsAreRowMajor() throws {
    let m = try Matrix<Float>([[1, 2, 3], [4, 5, 6]])
    #expect(m.elements == [1, 2, 3, 4, 5, 6])
    #expect(m[1, 0] == 4 && m[0, 2] == 3)
    #expect(m.shape == [2, 3] && m.count == 6)
    #expect(m.transposed() == (try Matrix<Float>([[1, 4], [2, 5], [3, 6]])))
    #expect(m.rows(1..<2) == (try Matrix<Float>([[4, 5, 6]])))
}

@Test func copiesAreIndependentValues() throws {
    let original = try Matrix<Double>([[1, 2], [3, 4]])
    var copy = original
    copy[0, 0] = 10
    #expect(original[0, 0] == 1)
    var viaPointer = original
    viaPointer.withUnsafeMutableBufferPointer { $0[3] = 40 }
    #expect(original[1, 1] == 4 && viaPointer[1, 1] == 40)
}

@Test func copyOnWriteCopiesOnlyWhenShared() throws {
    var a = try Matrix<Float>([[1, 2], [3, 4]])
    let before = a.withUnsafeBufferPointer { $0.baseAddress }
    // Unshared: a mutation writes in place.
    a[0, 1] = 5
    #expect(a.withUnsafeBufferPointer { $0.baseAddress } == before)
    // Shared: the copy points at the same storage until one side is mutated.
    var b = a
    #expect(b.withUnsafeBufferPointer { $0.baseAddress } == before)
    b[1, 1] = 9
    #expect(b.withUnsafeBufferPointer { $0.baseAddress } != before)
    #expect(a.withUnsafeBufferPointer { $0.baseAddress } == before && a[1, 1] == 4)
}

@Test func resizeKeepsCapacityAndSetsShape() {
    var m = Matrix<Float>(rows: 8, columns: 4)
    m.resize(rows: 2, columns: 4)
    #expect(m.shape == [2, 4] && m.count == 8)
    m.resize(rows: 3, columns: 5)
    #expect(m.shape == [3, 5] && m.count == 15)
}

@Test func descriptionShowsRowsOrShapeForLargeMatrices() throws {
    #expect("\(try Matrix<Float>([[1, 2], [3, 4]]))" == "[[1.0, 2.0],\n [3.0, 4.0]]")
    #expect("\(Matrix<Double>(rows: 30, columns: 30))" == "Matrix<Double>[30, 30]")
}
