import Testing

@testable import Perceptron

/// A = G (m × n Gaussian), X₀ known, B = A·X₀: an exactly consistent system.
private func consistentSystem(m: Int, n: Int, p: Int, seed: UInt64) throws -> (a: Matrix<Double>, x: Matrix<Double>, b: Matrix<Double>) {
    var generator = SeededGenerator(seed: seed)
    let a: Matrix<Double> = generator.gaussianMatrix(rows: m, columns: n)
    let x: Matrix<Double> = generator.gaussianMatrix(rows: n, columns: p)
    return (a, x, try NaiveBackend().matmul(a, x))
}

@Test(arguments: [(8, 3, 2), (5, 5, 1), (40, 7, 3)])
func leastSquaresRecoversKnownSolution(m: Int, n: Int, p: Int) throws {
    let (a, x, b) = try consistentSystem(m: m, n: n, p: p, seed: 21)
    let solved = try a.leastSquares(b)
    #expect(solved.shape == [n, p])
    // Double, Gaussian A of condition number ≲ 100 here: error ≈ cond·ε ≪ 1e-10.
    for (s, t) in zip(solved.elements, x.elements) { #expect(abs(s - t) <= 1e-10) }
}

/// For m < n, the minimum-norm solution is X = Aᵀ·(A·Aᵀ)⁻¹·B: it solves A·X = B and lies in
/// the row space of A, i.e. X = Aᵀ·Y for some Y.
@Test func leastSquaresOfWideSystemIsMinimumNormSolution() throws {
    let (a, _, b) = try consistentSystem(m: 3, n: 7, p: 2, seed: 22)
    let x = try a.leastSquares(b)
    let residual = try NaiveBackend().matmul(a, x)
    for (r, t) in zip(residual.elements, b.elements) { #expect(abs(r - t) <= 1e-10) }
    // Row space: Y = (A·Aᵀ)⁻¹·A·X solves Aᵀ·Y ≈ X exactly iff X is in the row space.
    let y = try a.transposed().leastSquares(x)
    let back = try NaiveBackend().matmul(a, transposeA: true, y)
    for (u, v) in zip(back.elements, x.elements) { #expect(abs(u - v) <= 1e-10) }
}

/// Overdetermined, inconsistent: the residual A·X − B is orthogonal to A's columns
/// (the normal equations Aᵀ·(A·X − B) = 0).
@Test func leastSquaresResidualIsOrthogonalToColumns() throws {
    var generator = SeededGenerator(seed: 23)
    let a: Matrix<Double> = generator.gaussianMatrix(rows: 20, columns: 4)
    let b: Matrix<Double> = generator.gaussianMatrix(rows: 20, columns: 2)
    let x = try a.leastSquares(b)
    var r = try NaiveBackend().matmul(a, x)
    for i in 0..<r.rows { for j in 0..<r.columns { r[i, j] -= b[i, j] } }
    let normal = try NaiveBackend().matmul(a, transposeA: true, r)
    for v in normal.elements { #expect(abs(v) <= 1e-12) }
}

@Test func householderLeastSquaresMatchesLAPACK() throws {
    var generator = SeededGenerator(seed: 24)
    for (m, n) in [(9, 4), (4, 9)] {
        let a: Matrix<Double> = generator.gaussianMatrix(rows: m, columns: n)
        let b: Matrix<Double> = generator.gaussianMatrix(rows: m, columns: 3)
        let x = try a.leastSquares(b)
        let h =
            m >= n
            ? try HouseholderQR(factoring: a.elements, rows: m, columns: n).leastSquaresSolution(b.elements, columns: 3)
            : try HouseholderQR(factoring: a.transposed().elements, rows: n, columns: m)
                .minimumNormSolutionOfTranspose(b.elements, columns: 3)
        for (u, v) in zip(x.elements, h) { #expect(abs(u - v) <= 1e-10) }
    }
}

@Test func leastSquaresOfRankDeficientMatrixThrowsNamingTheDiagonalElement() throws {
    // Column 2 is zero: R[1, 1] = 0 exactly, so ?gels reports info = 2.
    let a = try Matrix<Float>([[1, 0], [2, 0], [3, 0]])
    let b = try Matrix<Float>([[1], [2], [3]])
    #expect(throws: LeastSquaresError.self) { try a.leastSquares(b) }
    do {
        _ = try a.leastSquares(b)
    } catch {
        guard case .solver(let lapack) = error else {
            Issue.record("expected a solver error, got \(error)")
            return
        }
        #expect(lapack.info == 2)
        #expect(lapack.routine == "sgels")
        #expect(lapack.description.contains("2nd diagonal element of R is zero"))
    }
    // The Householder fallback reports the same failure the same way.
    #expect(throws: LAPACKError.rankDeficient(routine: "sgels", info: 2)) {
        try HouseholderQR(factoring: a.elements, rows: 3, columns: 2).leastSquaresSolution(b.elements, columns: 1)
    }
}

@Test func leastSquaresWithNaNInputThrowsNamingTheArgument() throws {
    let a = try Matrix<Double>([[1, 2], [3, .nan], [5, 6]])
    let b = try Matrix<Double>([[1], [2], [3]])
    do {
        _ = try a.leastSquares(b)
        Issue.record("NaN in A was accepted")
    } catch {
        guard case .solver(let lapack) = error else {
            Issue.record("expected a solver error, got \(error)")
            return
        }
        #expect(lapack.info == -6)
        #expect(lapack.description.contains("argument 6 (A)"))
    }
}

@Test func leastSquaresWithMismatchedRowsThrowsNamingBothShapes() throws {
    let a = Matrix<Float>(rows: 4, columns: 2)
    let b = Matrix<Float>(rows: 3, columns: 1)
    #expect {
        try a.leastSquares(b)
    } throws: { error in
        let text = "\(error)"
        return text.contains("A [4, 2]") && text.contains("B [3, 1]")
    }
}

@Test(.enabled(if: LAPACK.isAvailable))
func lapackErrorForIllegalArgumentNamesIt() throws {
    // ldb = 0 < nrhs is illegal; LAPACKE reports argument 9 (ldb).
    var a: [Float] = [1, 2, 3, 4]
    var b: [Float] = [1, 2]
    #expect {
        try a.withUnsafeMutableBufferPointer { pa in
            try b.withUnsafeMutableBufferPointer { pb in
                try LAPACK.gels(m: 2, n: 2, nrhs: 1, a: pa, lda: 2, b: pb, ldb: 0)
            }
        }
    } throws: { error in
        (error as? LAPACKError)?.info == -9 && "\(error)".contains("argument 9 (ldb) had an illegal value")
    }
}
