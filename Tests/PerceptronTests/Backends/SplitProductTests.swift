import Testing

@testable import Perceptron

// The split products are called directly (not through BLASBackend), so these tests do not
// depend on the process-wide thread count, which only BLASThreadCountTests sets.

/// `C ← α·op(A)·op(B) + β·C` as two row blocks on this thread and the helper.
private func splitGEMM<T: Scalar>(
    _ helper: HelperThread, transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
    alpha: T, a: [T], lda: Int, b: [T], ldb: Int, beta: T, c: inout [T], ldc: Int
) {
    a.withUnsafeBufferPointer { pa in
        b.withUnsafeBufferPointer { pb in
            c.withUnsafeMutableBufferPointer { pc in
                BLAS.withOpenBLASSingleThreaded {
                    RowSplitGEMM.run(
                        transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha, a: pa,
                        lda: lda, b: pb, ldb: ldb, beta: beta, c: pc, ldc: ldc, helper: helper)
                }
            }
        }
    }
}

private func checkRowSplitGEMMAgreesWithNaive<T: Scalar>(_: T.Type) throws {
    let helper = try #require(HelperThread.shared)
    var generator = SeededGenerator(seed: 41)
    // Row counts around the split point's rounding to 8, odd column and depth counts.
    for (m, n, k) in [(32, 1, 1), (33, 17, 65), (37, 64, 9), (100, 5, 200), (129, 33, 63)] {
        for transposeA in [false, true] {
            for transposeB in [false, true] {
                for (alpha, beta) in [(1.0, 0.0), (0.7, 1.3)] {
                    let a: [T] = randomArray(m * k, &generator)
                    let b: [T] = randomArray(k * n, &generator)
                    // β = 0 must not read C: start from NaN there.
                    let c0: [T] = beta == 0 ? [T](repeating: .nan, count: m * n) : randomArray(m * n, &generator)
                    var split = c0
                    splitGEMM(
                        helper, transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: T(alpha),
                        a: a, lda: transposeA ? m : k, b: b, ldb: transposeB ? k : n, beta: T(beta), c: &split, ldc: n)
                    var naive = c0
                    runGEMM(
                        NaiveBackend(), transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                        alpha: T(alpha), a: a, b: b, beta: T(beta), c: &naive)
                    let g = absoluteProduct(
                        transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, a: a,
                        lda: transposeA ? m : k, b: b, ldb: transposeB ? k : n)
                    let bad = gemmDisagreements(
                        blas: split, naive: naive, absProduct: g, c0: beta == 0 ? [T](repeating: 0, count: m * n) : c0,
                        alpha: alpha, beta: beta, m: m, n: n)
                    #expect(bad == 0, "\(T.self) \(m)×\(n)×\(k) tA \(transposeA) tB \(transposeB) α \(alpha) β \(beta)")
                }
            }
        }
    }
}

@Test(.enabled(if: BLASBackend.isAvailable))
func rowSplitGEMMAgreesWithTheNaiveBackendInFloat() throws {
    try checkRowSplitGEMMAgreesWithNaive(Float.self)
}

@Test(.enabled(if: BLASBackend.isAvailable))
func rowSplitGEMMAgreesWithTheNaiveBackendInDouble() throws {
    try checkRowSplitGEMMAgreesWithNaive(Double.self)
}

@Test(.enabled(if: BLASBackend.isAvailable))
func rowSplitGEMMWritesOnlyTheSubmatrixOfCAndReadsOnlyTheSubmatricesOfAAndB() throws {
    let helper = try #require(HelperThread.shared)
    var generator = SeededGenerator(seed: 43)
    // 70×40 = (70×50 transposed)·(50×40), each operand inside a wider array (leading
    // dimensions 3 more than needed); the padding holds sentinels that must survive.
    let (m, n, k, pad) = (70, 40, 50, 3)
    var a: [Double] = randomArray(k * (m + pad), &generator)  // Aᵀ stored k × m, lda = m + pad
    var b: [Double] = randomArray(k * (n + pad), &generator)  // B stored k × n, ldb = n + pad
    for p in 0..<k {
        for j in 0..<pad {
            a[p * (m + pad) + m + j] = .nan
            b[p * (n + pad) + n + j] = .nan
        }
    }
    var c = [Double](repeating: 99, count: m * (n + pad))
    splitGEMM(
        helper, transposeA: true, transposeB: false, m: m, n: n, k: k, alpha: 1, a: a, lda: m + pad, b: b,
        ldb: n + pad, beta: 0, c: &c, ldc: n + pad)
    for i in 0..<m {
        for j in 0..<n {
            var sum = 0.0
            for p in 0..<k { sum += a[p * (m + pad) + i] * b[p * (n + pad) + j] }
            #expect(abs(c[i * (n + pad) + j] - sum) <= 1e-12 * Double(k), "C[\(i), \(j)]")
        }
        for j in n..<(n + pad) { #expect(c[i * (n + pad) + j] == 99, "padding C[\(i), \(j)] was written") }
    }
}

@Test(.enabled(if: BLASBackend.isAvailable))
func rowSplitGEMMGivesTheSameBitsOnEveryRunAsItsBlocksComputedOneAfterTheOther() throws {
    let helper = try #require(HelperThread.shared)
    var generator = SeededGenerator(seed: 47)
    let (m, n, k) = (128, 256, 96)
    let a: [Float] = randomArray(m * k, &generator)
    let b: [Float] = randomArray(n * k, &generator)
    // The two blocks as plain single-threaded calls: rows 0..<64 and 64..<128.
    var expected = [Float](repeating: 0, count: m * n)
    BLAS.withOpenBLASSingleThreaded {
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                expected.withUnsafeMutableBufferPointer { pc in
                    for (first, rows) in [(0, 64), (64, 64)] {
                        BLAS.gemm(
                            transposeA: false, transposeB: true, m: rows, n: n, k: k, alpha: 1,
                            a: UnsafeBufferPointer(rebasing: pa[(first * k)...]), lda: k, b: pb, ldb: k, beta: 0,
                            c: UnsafeMutableBufferPointer(rebasing: pc[(first * n)...]), ldc: n)
                    }
                }
            }
        }
    }
    #expect(RowSplitGEMM.splitRow(m: m) == 64)
    let before = helper.chunksRunByHelper.load(ordering: .relaxed)
    for run in 0..<200 {
        var c = [Float](repeating: .nan, count: m * n)
        splitGEMM(
            helper, transposeA: false, transposeB: true, m: m, n: n, k: k, alpha: 1, a: a, lda: k, b: b, ldb: k,
            beta: 0, c: &c, ldc: n)
        #expect(c == expected, "run \(run)")
    }
    // The helper took part (each run posts block 1 to it).
    #expect(helper.chunksRunByHelper.load(ordering: .relaxed) > before)
}

@Test func splitRowIsNearTheMiddleOnAMultipleOfEight() {
    for m in 32...600 {
        let split = RowSplitGEMM.splitRow(m: m)
        #expect(split % 8 == 0 && split > 0 && split < m && abs(2 * split - m) <= 8, "m = \(m): \(split)")
    }
}

@Test(.enabled(if: BLASBackend.isAvailable))
func splitGEMVAgreesWithTheNaiveBackendForBothOrientations() throws {
    let helper = try #require(HelperThread.shared)
    var generator = SeededGenerator(seed: 53)
    for (m, n) in [(300, 257), (33, 2_100), (2_100, 33)] {
        for transposeA in [false, true] {
            for (alpha, beta) in [(1.0, 0.0), (0.7, 1.3)] {
                let a: [Double] = randomArray(m * n, &generator)
                let x: [Double] = randomArray(transposeA ? m : n, &generator)
                let outputs = transposeA ? n : m
                let y0: [Double] = beta == 0 ? [Double](repeating: .nan, count: outputs) : randomArray(outputs, &generator)
                var split = y0
                var naive = y0
                a.withUnsafeBufferPointer { pa in
                    x.withUnsafeBufferPointer { px in
                        split.withUnsafeMutableBufferPointer { py in
                            BLAS.withOpenBLASSingleThreaded {
                                SplitGEMV.run(
                                    transposeA: transposeA, m: m, n: n, alpha: alpha, a: pa, lda: n, x: px, beta: beta,
                                    y: py, helper: helper)
                            }
                        }
                        naive.withUnsafeMutableBufferPointer { py in
                            NaiveBackend().gemv(
                                transposeA: transposeA, m: m, n: n, alpha: alpha, a: pa, lda: n, x: px, beta: beta, y: py)
                        }
                    }
                }
                let depth = Double(transposeA ? m : n)
                for i in 0..<outputs {
                    #expect(abs(split[i] - naive[i]) <= 1e-13 * depth, "\(m)×\(n) tA \(transposeA) β \(beta) y[\(i)]")
                }
            }
        }
    }
}

@Test(.enabled(if: BLASBackend.isAvailable))
func concurrentSplitProductsAreEachCorrectAndLeaveOpenBLASAtTheRequestedCount() async throws {
    let helper = try #require(HelperThread.shared)
    // Four callers at once: one holds the helper at a time, the others run both blocks alone;
    // the single-threaded stretches nest, and OpenBLAS's count comes back when the last ends.
    let allCorrect = await withTaskGroup(of: Bool.self) { group in
        for caller in 0..<4 {
            group.addTask {
                var generator = SeededGenerator(seed: 60 + UInt64(caller))
                let (m, n, k) = (64 + 8 * caller, 48, 80)
                let a: [Double] = randomArray(m * k, &generator)
                let b: [Double] = randomArray(k * n, &generator)
                var naive = [Double](repeating: 0, count: m * n)
                runGEMM(
                    NaiveBackend(), transposeA: false, transposeB: false, m: m, n: n, k: k, alpha: 1, a: a, b: b,
                    beta: 0, c: &naive)
                return (0..<100).allSatisfy { _ in
                    var c = [Double](repeating: .nan, count: m * n)
                    splitGEMM(
                        helper, transposeA: false, transposeB: false, m: m, n: n, k: k, alpha: 1, a: a, lda: k, b: b,
                        ldb: n, beta: 0, c: &c, ldc: n)
                    return zip(c, naive).allSatisfy { abs($0 - $1) <= 1e-12 * Double(k) }
                }
            }
        }
        return await group.reduce(true) { $0 && $1 }
    }
    #expect(allCorrect)
    #expect(BLAS.openBLASThreadCount == BLAS.threadCount)
}

@Test(.enabled(if: BLASBackend.isAvailable))
func epilogueAppliedToSplitBlocksEqualsTheEpilogueAppliedAfterTheWholeProductBitForBit() throws {
    let helper = try #require(HelperThread.shared)
    var generator = SeededGenerator(seed: 59)
    let (m, n, k) = (100, 48, 70)
    let a: [Float] = randomArray(m * k, &generator)
    let b: [Float] = randomArray(n * k, &generator)
    let bias: [Float] = randomArray(n, &generator)
    let saved: [Float] = randomArray(m * n, &generator)  // a saved output Y for the backward epilogue
    for activation in Activation.allCases {
        for backward in [false, true] {
            // The product alone (split), then the epilogue over all rows at once.
            var product = [Float](repeating: .nan, count: m * n)
            splitGEMM(
                helper, transposeA: false, transposeB: true, m: m, n: n, k: k, alpha: 1, a: a, lda: k, b: b, ldb: k,
                beta: 0, c: &product, ldc: n)
            var expected = product
            var expectedZ = [Float](repeating: 0, count: m * n)
            var fusedZ = [Float](repeating: 0, count: m * n)
            var fused = [Float](repeating: .nan, count: m * n)
            bias.withUnsafeBufferPointer { pb in
                saved.withUnsafeBufferPointer { py in
                    expectedZ.withUnsafeMutableBufferPointer { pz in
                        let epilogue: GEMMEpilogue<Float> =
                            backward
                            ? .activationBackward(activation, input: py, output: py)
                            : .biasActivation(activation, bias: pb, preactivation: pz)
                        expected.withUnsafeMutableBufferPointer { epilogue.apply(to: $0, first: 0, count: m, columns: n) }
                    }
                    fusedZ.withUnsafeMutableBufferPointer { pz in
                        let epilogue: GEMMEpilogue<Float> =
                            backward
                            ? .activationBackward(activation, input: py, output: py)
                            : .biasActivation(activation, bias: pb, preactivation: pz)
                        // Fused: each block's epilogue right after the block, on its thread.
                        withUnsafePointer(to: epilogue) { pe in
                            a.withUnsafeBufferPointer { pa in
                                b.withUnsafeBufferPointer { pbm in
                                    fused.withUnsafeMutableBufferPointer { pc in
                                        BLAS.withOpenBLASSingleThreaded {
                                            RowSplitGEMM.run(
                                                transposeA: false, transposeB: true, m: m, n: n, k: k, alpha: 1,
                                                a: pa, lda: k, b: pbm, ldb: k, beta: 0, c: pc, ldc: n, helper: helper,
                                                epilogue: pe)
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            let same = zip(fused, expected).allSatisfy { $0.bitPattern == $1.bitPattern }
            #expect(same, "\(activation) backward \(backward)")
            #expect(fusedZ == expectedZ, "\(activation) preactivation")
            // The epilogue did something: it changed the product.
            #expect(fused != product, "\(activation) backward \(backward)")
        }
    }
}

@Test func splitDecisionsAreSafeForEveryShape() {
    // Below OpenBLAS's own threshold, too few rows, or an empty sum: one call.
    #expect(!RowSplitGEMM.isWorthSplitting(m: 128, n: 10, k: 128))
    #expect(!RowSplitGEMM.isWorthSplitting(m: 16, n: 4_096, k: 4_096))
    #expect(!RowSplitGEMM.isWorthSplitting(m: 1 << 20, n: 1 << 20, k: 0))
    #expect(RowSplitGEMM.isWorthSplitting(m: 128, n: 256, k: 784))
    // Sizes whose product overflows Int are large, not a trap.
    #expect(RowSplitGEMM.isWorthSplitting(m: Int.max / 2, n: Int.max / 2, k: 3))
    #expect(SplitGEMV.isWorthSplitting(transposeA: false, m: Int.max / 2, n: 3))
    #expect(!SplitGEMV.isWorthSplitting(transposeA: true, m: 100_000, n: 8))
    #expect(SplitGEMV.isWorthSplitting(transposeA: false, m: 256, n: 784))
}
