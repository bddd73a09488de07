import Testing

@testable import Perceptron

/// The sizes the reference BLAS testers (xBLAT3) use, in every dimension m, n, k.
let blasTesterSizes = [0, 1, 2, 3, 5, 9, 63, 65]
let blasTesterAlphas = [0, 1, 0.7]
let blasTesterBetas = [0, 1, 1.3]

/// Both backends, or only the naive one in a build without the `OpenBLAS` trait.
func availableBackends() -> [any Backend] {
    var backends: [any Backend] = [NaiveBackend()]
    if let blas = try? BLASBackend() { backends.append(blas) }
    return backends
}

/// `count` uniform samples from [−1, 1) in fresh storage.
func randomArray<T: Scalar>(_ count: Int, _ generator: inout SeededGenerator) -> [T] {
    (0..<count).map { _ in generator.uniform(-1, 1) }
}

/// `|op(A)|·|op(B)|` in Double by the textbook triple loop: the gauge's sum Σ_p |a_ip·b_pj|.
/// `a` is stored with leading dimension `lda`, `b` with `ldb`.
func absoluteProduct<T: Scalar>(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, a: [T], lda: Int, b: [T], ldb: Int
) -> [Double] {
    // op(A) and op(B) as tight row-major Double arrays first, so the loop below is not generic.
    let opA = (0..<m * k).map { index in
        let (i, p) = index.quotientAndRemainder(dividingBy: max(k, 1))
        return abs(Double(transposeA ? a[p * lda + i] : a[i * lda + p]))
    }
    let opB = (0..<k * n).map { index in
        let (p, j) = index.quotientAndRemainder(dividingBy: max(n, 1))
        return abs(Double(transposeB ? b[j * ldb + p] : b[p * ldb + j]))
    }
    var g = [Double](repeating: 0, count: m * n)
    for i in 0..<m {
        for p in 0..<k {
            let aip = opA[i * k + p]
            for j in 0..<n { g[i * n + j] += aip * opB[p * n + j] }
        }
    }
    return g
}

/// Counts elements with |c_blas − c_naive| > 16·ε·g, the xBLAT3 test ratio's threshold, where
/// g = |α|·Σ_p |a_ip·b_pj| + |β|·|c_ij| bounds the rounding error of any summation order.
func gemmDisagreements<T: Scalar>(
    blas: [T], naive: [T], absProduct: [Double], c0: [T], alpha: Double, beta: Double, m: Int, n: Int
) -> Int {
    var bad = 0
    for index in 0..<m * n {
        let g = abs(alpha) * absProduct[index] + abs(beta) * abs(Double(c0[index]))
        let difference = abs(Double(blas[index]) - Double(naive[index]))
        if !(difference <= 16 * Double(T.ulpOfOne) * g) { bad += 1 }
    }
    return bad
}

/// `C ← α·op(A)·op(B) + β·C` on tight row-major arrays through one backend.
func runGEMM<T: Scalar>(
    _ backend: any Backend, transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
    alpha: T, a: [T], b: [T], beta: T, c: inout [T]
) {
    a.withUnsafeBufferPointer { pa in
        b.withUnsafeBufferPointer { pb in
            c.withUnsafeMutableBufferPointer { pc in
                backend.gemm(
                    transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                    alpha: alpha, a: pa, lda: transposeA ? m : k, b: pb, ldb: transposeB ? k : n,
                    beta: beta, c: pc, ldc: n)
            }
        }
    }
}

/// Runs both backends over every (m, n, k) in ``blasTesterSizes`` and every (α, β), checking
/// agreement and that A and B are left unchanged.
func checkGEMMAgreement<T: Scalar>(_: T.Type, transposeA: Bool, transposeB: Bool) throws {
    let blas = try BLASBackend()
    let naive = NaiveBackend()
    var generator = SeededGenerator(seed: 3000 + (transposeA ? 2 : 0) + (transposeB ? 1 : 0))
    var failures = 0
    func record(_ message: String) {
        if failures < 10 { Issue.record(Comment(rawValue: message)) }
        failures += 1
    }
    for m in blasTesterSizes {
        for n in blasTesterSizes {
            for k in blasTesterSizes {
                let (lda, ldb) = (transposeA ? m : k, transposeB ? k : n)
                let a: [T] = randomArray(m * k, &generator)
                let b: [T] = randomArray(k * n, &generator)
                let c0: [T] = randomArray(m * n, &generator)
                // `map` makes fresh storage: a plain copy would share the buffer that a C
                // routine could write through.
                let (aSaved, bSaved) = (a.map { $0 }, b.map { $0 })
                let absProduct = absoluteProduct(
                    transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb)
                for alpha in blasTesterAlphas {
                    for beta in blasTesterBetas {
                        var cBLAS = c0.map { $0 }
                        var cNaive = c0.map { $0 }
                        runGEMM(
                            blas, transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                            alpha: T(alpha), a: a, b: b, beta: T(beta), c: &cBLAS)
                        runGEMM(
                            naive, transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                            alpha: T(alpha), a: a, b: b, beta: T(beta), c: &cNaive)
                        let bad = gemmDisagreements(
                            blas: cBLAS, naive: cNaive, absProduct: absProduct, c0: c0, alpha: alpha, beta: beta,
                            m: m, n: n)
                        if bad > 0 {
                            record("\(T.self) transposeA \(transposeA) transposeB \(transposeB) m \(m) n \(n) k \(k) α \(alpha) β \(beta): \(bad) elements beyond 16·ε·g")
                        }
                    }
                }
                if a != aSaved || b != bSaved { record("\(T.self) gemm m \(m) n \(n) k \(k) modified an input") }
            }
        }
    }
}

@Test(.enabled(if: BLASBackend.isAvailable), arguments: [false, true], [false, true])
func blasAndNaiveGEMMAgreeForAllTransposesInFloat(transposeA: Bool, transposeB: Bool) throws {
    try checkGEMMAgreement(Float.self, transposeA: transposeA, transposeB: transposeB)
}

@Test(.enabled(if: BLASBackend.isAvailable), arguments: [false, true], [false, true])
func blasAndNaiveGEMMAgreeForAllTransposesInDouble(transposeA: Bool, transposeB: Bool) throws {
    try checkGEMMAgreement(Double.self, transposeA: transposeA, transposeB: transposeB)
}

/// Sub-matrix views: every operand lives in a wider buffer (leading dimension = stored columns
/// + 3). The result equals the tight-buffer result exactly (same kernel, same data), and the
/// padding, filled with a sentinel, is neither read into C nor overwritten.
@Test(arguments: [false, true], [false, true])
func gemmHonoursLeadingDimensionsLargerThanTheRow(transposeA: Bool, transposeB: Bool) {
    var generator = SeededGenerator(seed: 77)
    let (m, n, k, pad) = (5, 9, 3, 3)
    let (aRows, aColumns) = transposeA ? (k, m) : (m, k)
    let (bRows, bColumns) = transposeB ? (n, k) : (k, n)
    let a: [Double] = randomArray(aRows * aColumns, &generator)
    let b: [Double] = randomArray(bRows * bColumns, &generator)
    let c0: [Double] = randomArray(m * n, &generator)
    let sentinel = 1e300
    func padded(_ x: [Double], rows: Int, columns: Int) -> [Double] {
        (0..<rows).flatMap { i in Array(x[i * columns..<(i + 1) * columns]) + repeatElement(sentinel, count: pad) }
    }
    let aWide = padded(a, rows: aRows, columns: aColumns)
    let bWide = padded(b, rows: bRows, columns: bColumns)
    for backend in availableBackends() {
        var tight = c0
        runGEMM(
            backend, transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
            alpha: 0.7, a: a, b: b, beta: 1.3, c: &tight)
        var wide = padded(c0, rows: m, columns: n)
        aWide.withUnsafeBufferPointer { pa in
            bWide.withUnsafeBufferPointer { pb in
                wide.withUnsafeMutableBufferPointer { pc in
                    backend.gemm(
                        transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: 0.7, a: pa,
                        lda: aColumns + pad, b: pb, ldb: bColumns + pad, beta: 1.3, c: pc, ldc: n + pad)
                }
            }
        }
        #expect(wide == padded(tight, rows: m, columns: n), "\(backend.name)")
    }
}

/// β = 0 means C is not read: NaN already in C does not reach the result (both backends).
@Test func gemmWithZeroBetaIgnoresNaNInC() throws {
    let a = try Matrix<Float>([[1, 2], [3, 4]])
    for backend in availableBackends() {
        var c = Matrix<Float>(rows: 2, columns: 2, repeating: .nan)
        try backend.gemm(a, a, into: &c)
        #expect(c == (try Matrix<Float>([[7, 10], [15, 22]])), "\(backend.name)")
        // k = 0: C ← β·C = 0, still without reading the NaN.
        var d = Matrix<Float>(rows: 2, columns: 2, repeating: .nan)
        try backend.gemm(Matrix<Float>(rows: 2, columns: 0), Matrix<Float>(rows: 0, columns: 2), into: &d)
        #expect(d == Matrix<Float>(rows: 2, columns: 2), "\(backend.name)")
    }
}

@Test func defaultBackendProductOfTwoByTwoMatchesHandComputation() throws {
    let a = try Matrix<Float>([[1, 2], [3, 4]])
    let b = try Matrix<Float>([[5, 6], [7, 8]])
    #expect(try defaultBackend().matmul(a, b) == (try Matrix<Float>([[19, 22], [43, 50]])))
    #expect(defaultBackend().name == (BLASBackend.isAvailable ? "blas" : "naive"))
}

@Test func gemmShapeMismatchNamesAllShapes() {
    let a = Matrix<Double>(rows: 3, columns: 4)
    let b = Matrix<Double>(rows: 5, columns: 2)
    var c = Matrix<Double>(rows: 3, columns: 2)
    #expect(
        throws: ShapeError(
            operation: "gemm", shapes: [.init("A", [3, 4]), .init("B", [5, 2]), .init("C", [3, 2])],
            reason: "inner dimensions differ (4 vs 5)")
    ) {
        try NaiveBackend().gemm(a, b, into: &c)
    }
    var wrongC = Matrix<Double>(rows: 2, columns: 2)
    #expect {
        try NaiveBackend().gemm(a, transposeA: true, Matrix<Double>(rows: 3, columns: 2), into: &wrongC)
    } throws: { error in
        "\(error)" == "gemm: Aᵀ [4, 3], B [3, 2], C [2, 2]: C must be [4, 2]"
    }
}
