import Testing

@testable import Perceptron

/// Vector lengths: the xBLAT sizes plus one long enough for BLAS's unrolled/vector paths.
let vectorLengths = blasTesterSizes + [1000]

/// gemv: |y_blas − y_naive| ≤ 16·ε·g per element, g = |α|·Σ_p |a_ip·x_p| + |β|·|y_i| (xBLAT2).
func checkGEMVAgreement<T: Scalar>(_: T.Type) throws {
    let blas = try BLASBackend()
    var generator = SeededGenerator(seed: 4000)
    for transposeA in [false, true] {
        for m in blasTesterSizes {
            for n in blasTesterSizes {
                let (outputs, inner) = transposeA ? (n, m) : (m, n)
                let a: [T] = randomArray(m * n, &generator)
                let x: [T] = randomArray(inner, &generator)
                let y0: [T] = randomArray(outputs, &generator)
                let (aSaved, xSaved) = (a.map { $0 }, x.map { $0 })
                for alpha in blasTesterAlphas {
                    for beta in blasTesterBetas {
                        var results: [[T]] = []
                        for backend in [blas as any Backend, NaiveBackend()] {
                            var y = y0.map { $0 }
                            a.withUnsafeBufferPointer { pa in
                                x.withUnsafeBufferPointer { px in
                                    y.withUnsafeMutableBufferPointer { py in
                                        backend.gemv(
                                            transposeA: transposeA, m: m, n: n, alpha: T(alpha), a: pa, lda: n,
                                            x: px, beta: T(beta), y: py)
                                    }
                                }
                            }
                            results.append(y)
                        }
                        for i in 0..<outputs {
                            var sum = 0.0
                            for p in 0..<inner {
                                sum += abs(Double(transposeA ? a[p * n + i] : a[i * n + p]) * Double(x[p]))
                            }
                            let g = abs(alpha) * sum + abs(beta) * abs(Double(y0[i]))
                            let difference = abs(Double(results[0][i]) - Double(results[1][i]))
                            #expect(
                                difference <= 16 * Double(T.ulpOfOne) * g,
                                "\(T.self) gemv transposeA \(transposeA) m \(m) n \(n) α \(alpha) β \(beta) i \(i)")
                        }
                    }
                }
                #expect(a == aSaved && x == xSaved, "gemv modified an input")
            }
        }
    }
}

/// axpy, scale and dot: per element |blas − naive| ≤ 16·ε·g with g = |α·x_i| + |y_i| (axpy),
/// |α·x_i| (scale), Σ_i |x_i·y_i| (dot).
func checkLevel1Agreement<T: Scalar>(_: T.Type) throws {
    let blas = try BLASBackend()
    let naive = NaiveBackend()
    let tolerance = 16 * Double(T.ulpOfOne)
    var generator = SeededGenerator(seed: 4100)
    for count in vectorLengths {
        let x: [T] = randomArray(count, &generator)
        let y0: [T] = randomArray(count, &generator)
        let xSaved = x.map { $0 }
        for alpha in [0, 1, 0.7, -1.3] {
            var yBLAS = y0.map { $0 }
            var yNaive = y0.map { $0 }
            x.withUnsafeBufferPointer { px in
                yBLAS.withUnsafeMutableBufferPointer { blas.axpy(alpha: T(alpha), x: px, y: $0) }
                yNaive.withUnsafeMutableBufferPointer { naive.axpy(alpha: T(alpha), x: px, y: $0) }
            }
            for i in 0..<count {
                let g = abs(alpha * Double(x[i])) + abs(Double(y0[i]))
                #expect(abs(Double(yBLAS[i]) - Double(yNaive[i])) <= tolerance * g, "\(T.self) axpy n \(count) α \(alpha)")
            }
            var sBLAS = x.map { $0 }
            var sNaive = x.map { $0 }
            sBLAS.withUnsafeMutableBufferPointer { blas.scale(by: T(alpha), x: $0) }
            sNaive.withUnsafeMutableBufferPointer { naive.scale(by: T(alpha), x: $0) }
            for i in 0..<count {
                #expect(
                    abs(Double(sBLAS[i]) - Double(sNaive[i])) <= tolerance * abs(alpha * Double(x[i])),
                    "\(T.self) scale n \(count) α \(alpha)")
            }
        }
        let (dBLAS, dNaive) = x.withUnsafeBufferPointer { px in
            y0.withUnsafeBufferPointer { py in (blas.dot(px, py), naive.dot(px, py)) }
        }
        let g = zip(x, y0).reduce(0.0) { $0 + abs(Double($1.0) * Double($1.1)) }
        #expect(abs(Double(dBLAS) - Double(dNaive)) <= tolerance * g, "\(T.self) dot n \(count)")
        #expect(x == xSaved, "a level-1 routine modified x")
    }
}

@Test(.enabled(if: BLASBackend.isAvailable))
func blasAndNaiveGEMVAgreeForBothTransposes() throws {
    try checkGEMVAgreement(Float.self)
    try checkGEMVAgreement(Double.self)
}

@Test(.enabled(if: BLASBackend.isAvailable))
func blasAndNaiveAXPYScaleAndDotAgree() throws {
    try checkLevel1Agreement(Float.self)
    try checkLevel1Agreement(Double.self)
}

/// gemv with an empty inner dimension is y ← β·y, and β = 0 does not read y (both backends).
@Test func gemvWithEmptyInnerDimensionScalesY() {
    for backend in availableBackends() {
        for (beta, expected) in [(Float(0), Float(0)), (2, 6)] {
            var y: [Float] = [beta == 0 ? .nan : 3]
            let empty: [Float] = []
            empty.withUnsafeBufferPointer { pa in
                y.withUnsafeMutableBufferPointer { py in
                    backend.gemv(transposeA: false, m: 1, n: 0, alpha: 1, a: pa, lda: 0, x: pa, beta: beta, y: py)
                }
            }
            #expect(y == [expected], "\(backend.name) β \(beta)")
        }
    }
}

@Test func matvecShapeMismatchNamesBothShapes() {
    #expect {
        try NaiveBackend().matvec(Matrix<Float>(rows: 2, columns: 3), transposeA: true, [1, 2, 3])
    } throws: { error in
        "\(error)" == "gemv: Aᵀ [3, 2], x [3]: x must have 2 elements"
    }
}

/// BLAS semantics for the scalars: with `α = 0`, `A` and `B` (or `x`) are not read, so a NaN in
/// them does not reach the result (`C ← β·C`); with `β = 0`, `C` (or `y`) is not read, so a NaN
/// there is overwritten. The naive backend gives exactly what BLAS gives (no arithmetic on the
/// NaNs at all, so the comparison is exact), and the expected values below.
private func checkZeroScalarsSkipTheirOperands<T: Scalar>(_: T.Type) {
    var generator = SeededGenerator(seed: 4100)
    let (m, n, k) = (3, 5, 4)
    var a: [T] = randomArray(m * k, &generator)
    var b: [T] = randomArray(k * n, &generator)
    var c0: [T] = randomArray(m * n, &generator)
    let x: [T] = randomArray(k, &generator).enumerated().map { $0.offset == 1 ? .nan : $0.element }
    a[2] = .nan
    b[3] = .infinity
    let finiteC = c0
    c0[4] = .nan
    for backend in availableBackends() {
        for (transposeA, transposeB) in [(false, false), (true, false), (false, true), (true, true)] {
            // α = 0, β = 0.5: C ← 0.5·C (NaN stays only where C held it).
            var c = finiteC.map { $0 }
            runGEMM(
                backend, transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                alpha: 0, a: a, b: b, beta: T(0.5), c: &c)
            let halved = finiteC.map { $0 * T(0.5) }
            #expect(c == halved, "\(backend.name) \(T.self) gemm α = 0 read A or B")
            // β = 0, A and B finite: C ← α·op(A)·op(B), the NaN in C never read.
            let (aFinite, bFinite): ([T], [T]) = (randomArray(m * k, &generator), randomArray(k * n, &generator))
            var cZeroBeta = c0.map { $0 }
            runGEMM(
                backend, transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                alpha: 1, a: aFinite, b: bFinite, beta: 0, c: &cZeroBeta)
            let cFinite = cZeroBeta.allSatisfy(\.isFinite)
            #expect(cFinite, "\(backend.name) \(T.self) gemm β = 0 read C")
            // Both zero: C ← 0 whatever A, B and C hold.
            var cZero = c0.map { $0 }
            runGEMM(
                backend, transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                alpha: 0, a: a, b: b, beta: 0, c: &cZero)
            let zeroed = cZero.allSatisfy { $0 == 0 }
            #expect(zeroed, "\(backend.name) \(T.self) gemm α = β = 0")
        }
        for transposeA in [false, true] {
            // op(A) is [outputs, inner] = [m, k] or, transposed, A is [k, m].
            let (rows, columns) = transposeA ? (k, m) : (m, k)
            let y0: [T] = [T(1), .nan, T(-2)]
            var y = y0.map { $0 }
            var yZeroBeta = y0.map { $0 }
            let aFinite: [T] = randomArray(m * k, &generator)
            let xFinite: [T] = randomArray(k, &generator)
            a.withUnsafeBufferPointer { pa in
                x.withUnsafeBufferPointer { px in
                    y.withUnsafeMutableBufferPointer { py in
                        backend.gemv(
                            transposeA: transposeA, m: rows, n: columns, alpha: 0, a: pa, lda: columns, x: px,
                            beta: 2, y: py)
                    }
                }
            }
            aFinite.withUnsafeBufferPointer { pa in
                xFinite.withUnsafeBufferPointer { px in
                    yZeroBeta.withUnsafeMutableBufferPointer { py in
                        backend.gemv(
                            transposeA: transposeA, m: rows, n: columns, alpha: 1, a: pa, lda: columns, x: px,
                            beta: 0, y: py)
                    }
                }
            }
            #expect(y[0] == 2 && y[1].isNaN && y[2] == -4, "\(backend.name) \(T.self) gemv α = 0 read A or x: \(y)")
            let allFinite = yZeroBeta.allSatisfy(\.isFinite)
            #expect(allFinite, "\(backend.name) \(T.self) gemv β = 0 read y: \(yZeroBeta)")
        }
    }
}

@Test func zeroAlphaSkipsAAndBAndZeroBetaSkipsCInEveryBackendLikeBLAS() {
    checkZeroScalarsSkipTheirOperands(Float.self)
    checkZeroScalarsSkipTheirOperands(Double.self)
}
