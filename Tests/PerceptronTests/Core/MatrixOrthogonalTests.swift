import Testing

@testable import Perceptron

/// ‖M·Mᵀ − gain²·I‖∞ (maximum absolute row sum), accumulated in Double: for a wide `M` this
/// measures orthonormal rows, for `Mᵀ` of a tall `M` orthonormal columns.
func orthogonalityDefect<T: Scalar>(rowsOf m: Matrix<T>, gain: Double = 1) -> Double {
    var worst = 0.0
    for i in 0..<m.rows {
        var rowSum = 0.0
        for j in 0..<m.rows {
            var dot = 0.0
            for c in 0..<m.columns { dot += Double(m[i, c]) * Double(m[j, c]) }
            rowSum += abs(dot - (i == j ? gain * gain : 0))
        }
        worst = max(worst, rowSum)
    }
    return worst
}

/// ‖QᵀQ − I‖∞ for tall or square `q`, ‖Q·Qᵀ − I‖∞ for wide `q`.
func orthonormalityDefect<T: Scalar>(_ q: Matrix<T>, gain: Double = 1) -> Double {
    q.rows >= q.columns
        ? orthogonalityDefect(rowsOf: q.transposed(), gain: gain) : orthogonalityDefect(rowsOf: q, gain: gain)
}

let orthogonalShapes: [(rows: Int, columns: Int)] = [(1, 1), (7, 3), (16, 16), (3, 7), (64, 32), (32, 64), (1, 9), (9, 1)]

/// Layer-sized shapes, for the public initialiser only (LAPACK, or the Householder fallback in Double).
let largeOrthogonalShapes: [(rows: Int, columns: Int)] = [(300, 100), (100, 300)]

// Tolerance 1e-5 in Float (ε = 1.2e-7): a Householder QR gives ‖QᵀQ − I‖ = O(n·ε), and the
// ∞-norm sums n such terms; measured ≤ 1.5e-6 up to n = 32 and 3.7e-6 at 784 × 256.
@Test(arguments: orthogonalShapes + largeOrthogonalShapes)
func orthogonalHasOrthonormalColumnsOrRowsInFloat(shape: (rows: Int, columns: Int)) throws {
    var generator = SeededGenerator(seed: 42)
    let q = try Matrix<Float>.orthogonal(rows: shape.rows, columns: shape.columns, using: &generator)
    #expect(q.shape == [shape.rows, shape.columns])
    #expect(orthonormalityDefect(q) <= 1e-5)
}

@Test(arguments: orthogonalShapes)
func householderQHasOrthonormalColumnsInFloat(shape: (rows: Int, columns: Int)) {
    var generator = SeededGenerator(seed: 7)
    let (m, n) = (max(shape.rows, shape.columns), min(shape.rows, shape.columns))
    let g: Matrix<Float> = generator.gaussianMatrix(rows: m, columns: n)
    let qr = HouseholderQR(factoring: g.elements, rows: m, columns: n)
    let q = Matrix(rows: m, columns: n, uncheckedElements: qr.thinQ)
    #expect(orthonormalityDefect(q) <= 1e-5)
}

@Test func orthogonalScalesByGain() throws {
    var generator = SeededGenerator(seed: 3)
    let q = try Matrix<Double>.orthogonal(rows: 5, columns: 8, gain: 2.5, using: &generator)
    // Double: ε = 2.2e-16, 8 columns; 1e-12 is far above rounding.
    #expect(orthonormalityDefect(q, gain: 2.5) <= 1e-12)
}

@Test func orthogonalIsDeterminedBySeed() throws {
    var g1 = SeededGenerator(seed: 11)
    var g2 = SeededGenerator(seed: 11)
    var g3 = SeededGenerator(seed: 12)
    let a = try Matrix<Float>.orthogonal(rows: 6, columns: 4, using: &g1)
    let b = try Matrix<Float>.orthogonal(rows: 6, columns: 4, using: &g2)
    let c = try Matrix<Float>.orthogonal(rows: 6, columns: 4, using: &g3)
    #expect(a == b)
    #expect(a != c)
}

/// Q·diag(sign(diag R)) is the Q of the unique QR with non-negative diag(R), so Q·(QᵀG) = G
/// and QᵀG is upper triangular with a non-negative diagonal.
@Test(arguments: [(6, 4), (4, 4), (4, 6)])
func orthogonalFactorHasNonNegativeRDiagonal(rows: Int, columns: Int) throws {
    var generator = SeededGenerator(seed: 5)
    var replay = generator
    let q = try Matrix<Double>.orthogonal(rows: rows, columns: columns, using: &generator)
    let g: Matrix<Double> = replay.gaussianMatrix(rows: rows, columns: columns)
    // Tall: G = Q·R, so R = Qᵀ·G. Wide: the QR is of Gᵀ and the result is its factor
    // transposed, so R = (Qᵀ)ᵀ·Gᵀ.
    let (tallQ, tallG) = rows >= columns ? (q, g) : (q.transposed(), g.transposed())
    let r = try NaiveBackend().matmul(tallQ, transposeA: true, tallG)
    for i in 0..<r.rows {
        #expect(r[i, i] > 0)
        for j in 0..<i { #expect(abs(r[i, j]) <= 1e-12) }  // Double rounding of an O(1) product.
    }
}

/// Without the trait the Householder fallback runs; with it, LAPACK. Both give the same Q
/// (the sign-fixed QR is unique) up to rounding.
@Test func householderAndLAPACKGiveTheSameQ() throws {
    var generator = SeededGenerator(seed: 9)
    let g: Matrix<Double> = generator.gaussianMatrix(rows: 12, columns: 5)
    let q = try g.orthonormalFactorWithPositiveR()
    let qr = HouseholderQR(factoring: g.elements, rows: 12, columns: 5)
    let d = qr.diagonalOfR
    var householderQ = Matrix(rows: 12, columns: 5, uncheckedElements: qr.thinQ)
    for i in 0..<12 {
        for j in 0..<5 where d[j] < 0 { householderQ[i, j] = -householderQ[i, j] }
    }
    for (x, y) in zip(q.elements, householderQ.elements) {
        #expect(abs(x - y) <= 1e-12)  // Double, well-conditioned Gaussian 12 × 5.
    }
}

@Test func orthogonalOfEmptyShapeIsEmpty() throws {
    var generator = SeededGenerator(seed: 1)
    let q = try Matrix<Float>.orthogonal(rows: 0, columns: 3, using: &generator)
    #expect(q.shape == [0, 3])
}

@Test func orthogonalWithNegativeDimensionThrowsNamingIt() {
    var generator = SeededGenerator(seed: 1)
    #expect {
        try Matrix<Float>.orthogonal(rows: -1, columns: 3, using: &generator)
    } throws: { error in
        (error as? LAPACKError)?.info == -2 && "\(error)".contains("rows = -1")
    }
}
