import Testing

@testable import Perceptron

// Products large enough to be divided among threads by BLASBackend(threads:) (see
// ProductPartition), checked against the naive backend and against their own blocks computed
// one after the other. The thread counts go past this machine's cores: the division, not the
// hardware, is what is tested.

/// Thread counts the products are divided for.
private let threadCounts = [2, 3, 4, 8, 16]

private func blas(threads: Int) throws -> BLASBackend {
    try BLASBackend(threads: threads)
}

private func checkDividedGEMMAgreesWithNaive<T: Scalar>(_: T.Type) throws {
    var generator = SeededGenerator(seed: 41)
    // Row and column counts around the block edges' rounding, odd depths, shapes divided by
    // rows only, by columns only (few rows), and both.
    for (m, n, k) in [(33, 17, 4_100), (37, 200, 90), (100, 5, 600), (129, 300, 63), (8, 1_000, 300), (300, 130, 40)] {
        for transposeA in [false, true] {
            for transposeB in [false, true] {
                for (alpha, beta) in [(1.0, 0.0), (0.7, 1.3)] {
                    let a: [T] = randomArray(m * k, &generator)
                    let b: [T] = randomArray(k * n, &generator)
                    // β = 0 must not read C: start from NaN there.
                    let c0: [T] = beta == 0 ? [T](repeating: .nan, count: m * n) : randomArray(m * n, &generator)
                    var naive = c0
                    runGEMM(
                        NaiveBackend(), transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                        alpha: T(alpha), a: a, b: b, beta: T(beta), c: &naive)
                    let g = absoluteProduct(
                        transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, a: a,
                        lda: transposeA ? m : k, b: b, ldb: transposeB ? k : n)
                    for threads in threadCounts {
                        var divided = c0
                        runGEMM(
                            try blas(threads: threads), transposeA: transposeA, transposeB: transposeB, m: m, n: n,
                            k: k, alpha: T(alpha), a: a, b: b, beta: T(beta), c: &divided)
                        let bad = gemmDisagreements(
                            blas: divided, naive: naive, absProduct: g,
                            c0: beta == 0 ? [T](repeating: 0, count: m * n) : c0, alpha: alpha, beta: beta, m: m, n: n)
                        #expect(
                            bad == 0,
                            "\(T.self) \(m)×\(n)×\(k) tA \(transposeA) tB \(transposeB) α \(alpha) β \(beta) \(threads)t")
                    }
                }
            }
        }
    }
}

@Test(.enabled(if: BLASBackend.isAvailable))
func dividedGEMMAgreesWithTheNaiveBackendInFloat() throws {
    try checkDividedGEMMAgreesWithNaive(Float.self)
}

@Test(.enabled(if: BLASBackend.isAvailable))
func dividedGEMMAgreesWithTheNaiveBackendInDouble() throws {
    try checkDividedGEMMAgreesWithNaive(Double.self)
}

@Test(.enabled(if: BLASBackend.isAvailable))
func dividedGEMMWritesOnlyTheSubmatrixOfCAndReadsOnlyTheSubmatricesOfAAndB() throws {
    var generator = SeededGenerator(seed: 43)
    // 140×300 = (140×50 transposed)·(50×300), each operand inside a wider array (leading
    // dimensions 3 more than needed); the padding holds sentinels that must survive.
    let (m, n, k, pad) = (140, 300, 50, 3)
    var a: [Double] = randomArray(k * (m + pad), &generator)  // Aᵀ stored k × m, lda = m + pad
    var b: [Double] = randomArray(k * (n + pad), &generator)  // B stored k × n, ldb = n + pad
    for p in 0..<k {
        for j in 0..<pad {
            a[p * (m + pad) + m + j] = .nan
            b[p * (n + pad) + n + j] = .nan
        }
    }
    for threads in threadCounts {
        var c = [Double](repeating: 99, count: m * (n + pad))
        let backend = try blas(threads: threads)
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                c.withUnsafeMutableBufferPointer { pc in
                    backend.gemm(
                        transposeA: true, transposeB: false, m: m, n: n, k: k, alpha: 1, a: pa, lda: m + pad, b: pb,
                        ldb: n + pad, beta: 0, c: pc, ldc: n + pad)
                }
            }
        }
        var wrong = 0
        for i in 0..<m {
            for j in 0..<n {
                var sum = 0.0
                for p in 0..<k { sum += a[p * (m + pad) + i] * b[p * (n + pad) + j] }
                if !(abs(c[i * (n + pad) + j] - sum) <= 1e-12 * Double(k)) { wrong += 1 }
            }
            for j in n..<(n + pad) where c[i * (n + pad) + j] != 99 { wrong += 1 }
        }
        #expect(wrong == 0, "\(threads) threads")
    }
}

/// `C = A·Bᵀ` as the partition's blocks, each a single-threaded call, one after the other.
private func blocksOneAfterTheOther(
    _ partition: ProductPartition, m: Int, n: Int, k: Int, a: [Float], b: [Float]
) -> [Float] {
    var c = [Float](repeating: 0, count: m * n)
    BLAS.withOpenBLASSingleThreaded {
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                c.withUnsafeMutableBufferPointer { pc in
                    for block in 0..<partition.blocks {
                        let rows = partition.rows(ofBlock: block)
                        let columns = partition.columns(ofBlock: block)
                        BLAS.gemm(
                            transposeA: false, transposeB: true, m: rows.count, n: columns.count, k: k, alpha: 1,
                            a: UnsafeBufferPointer(rebasing: pa[(rows.lowerBound * k)...]), lda: k,
                            b: UnsafeBufferPointer(rebasing: pb[(columns.lowerBound * k)...]), ldb: k, beta: 0,
                            c: UnsafeMutableBufferPointer(rebasing: pc[(rows.lowerBound * n + columns.lowerBound)...]),
                            ldc: n)
                    }
                }
            }
        }
    }
    return c
}

@Test(.enabled(if: BLASBackend.isAvailable))
func dividedGEMMGivesTheSameBitsOnEveryRunAsItsBlocksComputedOneAfterTheOther() throws {
    var generator = SeededGenerator(seed: 47)
    let (m, n, k) = (128, 256, 96)
    let a: [Float] = randomArray(m * k, &generator)
    let b: [Float] = randomArray(n * k, &generator)
    let before = ThreadPool.shared.chunksRunByHelpers.load(ordering: .relaxed)
    for threads in threadCounts {
        let partition = ProductPartition.gemm(m: m, n: n, k: k, threads: threads)
        #expect(partition.blocks == threads, "\(threads) threads: \(partition)")
        let expected = blocksOneAfterTheOther(partition, m: m, n: n, k: k, a: a, b: b)
        let backend = try blas(threads: threads)
        for run in 0..<40 {
            var c = [Float](repeating: .nan, count: m * n)
            runGEMM(backend, transposeA: false, transposeB: true, m: m, n: n, k: k, alpha: 1, a: a, b: b, beta: 0, c: &c)
            #expect(c == expected, "\(threads) threads, run \(run)")
        }
    }
    // Helpers took part.
    #expect(ThreadPool.shared.chunksRunByHelpers.load(ordering: .relaxed) > before)
}

@Test(.enabled(if: BLASBackend.isAvailable))
func dividedGEMVAgreesWithTheNaiveBackendForBothOrientations() throws {
    var generator = SeededGenerator(seed: 53)
    for (m, n) in [(300, 257), (33, 2_100), (2_100, 33)] {
        for transposeA in [false, true] {
            for (alpha, beta) in [(1.0, 0.0), (0.7, 1.3)] {
                let a: [Double] = randomArray(m * n, &generator)
                let x: [Double] = randomArray(transposeA ? m : n, &generator)
                let outputs = transposeA ? n : m
                let y0: [Double] =
                    beta == 0 ? [Double](repeating: .nan, count: outputs) : randomArray(outputs, &generator)
                var naive = y0
                a.withUnsafeBufferPointer { pa in
                    x.withUnsafeBufferPointer { px in
                        naive.withUnsafeMutableBufferPointer { py in
                            NaiveBackend().gemv(
                                transposeA: transposeA, m: m, n: n, alpha: alpha, a: pa, lda: n, x: px, beta: beta,
                                y: py)
                        }
                    }
                }
                for threads in threadCounts {
                    var divided = y0
                    let backend = try blas(threads: threads)
                    a.withUnsafeBufferPointer { pa in
                        x.withUnsafeBufferPointer { px in
                            divided.withUnsafeMutableBufferPointer { py in
                                backend.gemv(
                                    transposeA: transposeA, m: m, n: n, alpha: alpha, a: pa, lda: n, x: px,
                                    beta: beta, y: py)
                            }
                        }
                    }
                    let depth = Double(transposeA ? m : n)
                    let bad = (0..<outputs).filter { !(abs(divided[$0] - naive[$0]) <= 1e-13 * depth) }
                    #expect(bad.isEmpty, "\(m)×\(n) tA \(transposeA) β \(beta) \(threads)t: y\(bad.prefix(5))")
                }
            }
        }
    }
}

@Test(.enabled(if: BLASBackend.isAvailable))
func zeroScalarsSkipTheirOperandsInDividedProducts() throws {
    // α = 0 must not read A or B, β = 0 must not read C, also for products large enough to be
    // divided (the special cases come before the division).
    var generator = SeededGenerator(seed: 57)
    let (m, n, k) = (128, 256, 96)
    var a: [Float] = randomArray(m * k, &generator)
    let b: [Float] = randomArray(k * n, &generator)
    a[5] = .nan
    let c0: [Float] = randomArray(m * n, &generator)
    for threads in [1] + threadCounts {
        let backend = try blas(threads: threads)
        var c = c0
        runGEMM(backend, transposeA: false, transposeB: false, m: m, n: n, k: k, alpha: 0, a: a, b: b, beta: 2, c: &c)
        #expect(c == c0.map { 2 * $0 }, "\(threads)t α = 0")
        var zeroed = [Float](repeating: .nan, count: m * n)
        runGEMM(
            backend, transposeA: false, transposeB: false, m: m, n: n, k: k, alpha: 0, a: a, b: b, beta: 0,
            c: &zeroed)
        #expect(zeroed.allSatisfy { $0 == 0 }, "\(threads)t α = β = 0")
    }
}

@Test(.enabled(if: BLASBackend.isAvailable))
func concurrentDividedProductsAreEachCorrect() async throws {
    // Four callers at once: one holds the pool at a time, the others run their blocks alone;
    // every result is right whoever ran it.
    let allCorrect = await withTaskGroup(of: Bool.self) { group in
        for caller in 0..<4 {
            group.addTask {
                var generator = SeededGenerator(seed: 60 + UInt64(caller))
                let (m, n, k) = (64 + 8 * caller, 96, 80)
                let a: [Double] = randomArray(m * k, &generator)
                let b: [Double] = randomArray(k * n, &generator)
                var naive = [Double](repeating: 0, count: m * n)
                runGEMM(
                    NaiveBackend(), transposeA: false, transposeB: false, m: m, n: n, k: k, alpha: 1, a: a, b: b,
                    beta: 0, c: &naive)
                guard let backend = try? BLASBackend(threads: 2 + caller) else { return false }
                return (0..<100).allSatisfy { _ in
                    var c = [Double](repeating: .nan, count: m * n)
                    runGEMM(
                        backend, transposeA: false, transposeB: false, m: m, n: n, k: k, alpha: 1, a: a, b: b, beta: 0,
                        c: &c)
                    return zip(c, naive).allSatisfy { abs($0 - $1) <= 1e-12 * Double(k) }
                }
            }
        }
        return await group.reduce(true) { $0 && $1 }
    }
    #expect(allCorrect)
}

@Test(.enabled(if: BLASBackend.isAvailable))
func epilogueAppliedToDividedBlocksEqualsTheEpilogueAppliedAfterTheWholeProductBitForBit() throws {
    var generator = SeededGenerator(seed: 59)
    let (m, n, k) = (100, 200, 70)
    let a: [Float] = randomArray(m * k, &generator)
    let b: [Float] = randomArray(n * k, &generator)
    let bias: [Float] = randomArray(n, &generator)
    let saved: [Float] = randomArray(m * n, &generator)  // a saved output Y for the backward epilogue
    for threads in threadCounts {
        let backend = try blas(threads: threads)
        // Short enough that the plain product and the forward one are divided alike.
        #expect(
            ProductPartition.gemm(m: m, n: n, k: k, threads: threads)
                == ProductPartition.gemm(m: m, n: n, k: k, threads: threads, order: .columnsFirst))
        for activation in Activation.allCases {
            for backward in [false, true] {
                // The product alone (divided the same way), then the epilogue over all rows at once.
                var product = [Float](repeating: .nan, count: m * n)
                runGEMM(
                    backend, transposeA: false, transposeB: true, m: m, n: n, k: k, alpha: 1, a: a, b: b, beta: 0,
                    c: &product)
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
                            expected.withUnsafeMutableBufferPointer {
                                epilogue.apply(to: $0, first: 0, count: m, columns: n)
                            }
                        }
                        fusedZ.withUnsafeMutableBufferPointer { pz in
                            let epilogue: GEMMEpilogue<Float> =
                                backward
                                ? .activationBackward(activation, input: py, output: py)
                                : .biasActivation(activation, bias: pb, preactivation: pz)
                            // Fused: each block's epilogue right after the block, on its thread.
                            a.withUnsafeBufferPointer { pa in
                                b.withUnsafeBufferPointer { pbm in
                                    fused.withUnsafeMutableBufferPointer { pc in
                                        backend.gemm(
                                            transposeA: false, transposeB: true, m: m, n: n, k: k, alpha: 1, a: pa,
                                            lda: k, b: pbm, ldb: k, beta: 0, c: pc, epilogue: epilogue)
                                    }
                                }
                            }
                        }
                    }
                }
                // Softmax needs whole rows, so its products are divided by rows only; the
                // product above was divided by columns.
                let same = zip(fused, expected).allSatisfy { $0.bitPattern == $1.bitPattern }
                if activation != .softmax {
                    #expect(same, "\(activation) backward \(backward) \(threads)t")
                    #expect(fusedZ == expectedZ, "\(activation) preactivation \(threads)t")
                } else {
                    // The two products may differ in their last bits (OpenBLAS's kernels block a
                    // 100×200 product and its 100×100 halves differently; with Haswell's kernels
                    // they do), and the softmax backward sums 200 of them per row: within
                    // 1e-4, far below any real error (a wrong block is off by O(1)).
                    #expect(maxRelativeDifference(fused, expected) <= 1e-4, "softmax \(backward) \(threads)t")
                }
                // The epilogue did something: it changed the product.
                #expect(fused != product, "\(activation) backward \(backward) \(threads)t")
            }
        }
    }
}

@Test func partitionsCoverTheOutputWithFewLargeAlignedBlocks() {
    let shapes = [
        (128, 256, 784), (256, 784, 128), (128, 784, 256), (128, 128, 256), (128, 10, 128), (32, 256, 784),
        (1, 1_000_000, 1), (8, 1_000, 300), (1_000, 8, 300), (4_096, 4_096, 4_096), (17, 65, 1_000),
    ]
    for (m, n, k) in shapes {
        for threads in 1...64 {
            for order in [ProductPartition.Order.rowsFirst, .columnsFirst, .rowsOnly] {
                let p = ProductPartition.gemm(m: m, n: n, k: k, threads: threads, order: order)
                let wholeRows = order == .rowsOnly
                let label = "\(m)×\(n)×\(k) \(threads)t \(order): \(p)"
                #expect(p.blocks >= 1 && p.blocks <= max(1, threads), "\(label)")
                #expect(!wholeRows || p.columnBlocks == 1, "\(label)")
                if p.blocks > 1 {
                    #expect(m * n * k / p.blocks >= ProductPartition.minimumMultiplyAdds / 2, "\(label)")
                }
                // Every element of C in exactly one block; inner edges aligned; no block thin.
                var covered = 0
                for block in 0..<p.blocks {
                    let rows = p.rows(ofBlock: block)
                    let columns = p.columns(ofBlock: block)
                    covered += rows.count * columns.count
                    #expect(!rows.isEmpty && !columns.isEmpty, "\(label) block \(block)")
                    #expect(rows.lowerBound % 8 == 0 && columns.lowerBound % 16 == 0, "\(label) block \(block)")
                    if p.rowBlocks > 1 { #expect(rows.count >= 8, "\(label) block \(block)") }
                    if p.columnBlocks > 1 { #expect(columns.count >= 16, "\(label) block \(block)") }
                }
                #expect(covered == m * n, "\(label)")
            }
        }
    }
}

@Test func partitionsOfTheTrainingStepUseEveryThreadRowsFirstWhenTheyAreLong() {
    // The forward product of the first layer at batch 128: rows while each thread gets 64, then
    // columns first, then rows.
    #expect(ProductPartition.gemm(m: 128, n: 256, k: 784, threads: 2) == .init(m: 128, n: 256, rowBlocks: 2, columnBlocks: 1))
    #expect(ProductPartition.gemm(m: 256, n: 784, k: 128, threads: 4) == .init(m: 256, n: 784, rowBlocks: 4, columnBlocks: 1))
    let eight = ProductPartition.gemm(m: 128, n: 256, k: 784, threads: 8)
    #expect(eight.columnBlocks == 4 && eight.rowBlocks == 2)
    let sixteen = ProductPartition.gemm(m: 128, n: 256, k: 784, threads: 16)
    #expect(sixteen.columnBlocks == 4 && sixteen.rowBlocks == 4)
    // Batch 32: whole rows, divided by columns; with a softmax epilogue by rows only.
    #expect(ProductPartition.gemm(m: 32, n: 256, k: 784, threads: 2) == .init(m: 32, n: 256, rowBlocks: 1, columnBlocks: 2))
    #expect(ProductPartition.gemm(m: 32, n: 256, k: 784, threads: 2, order: .rowsOnly).rowBlocks == 2)
    // A layer's forward product: columns (rows of W) first even when the rows are long.
    #expect(ProductPartition.gemm(m: 128, n: 256, k: 784, threads: 2, order: .columnsFirst) == .init(m: 128, n: 256, rowBlocks: 1, columnBlocks: 2))
    // Too small to divide: below two blocks' worth of work, or one thread.
    #expect(ProductPartition.gemm(m: 128, n: 10, k: 128, threads: 16).blocks == 1)
    #expect(ProductPartition.gemm(m: 4_096, n: 4_096, k: 4_096, threads: 1).blocks == 1)
    #expect(ProductPartition.gemm(m: 1 << 20, n: 1 << 20, k: 0, threads: 16).blocks == 1)
}

@Test func partitionDecisionsNeverTrapOnHugeOrNegativeSizes() {
    let huge = ProductPartition.gemm(m: Int.max / 2, n: Int.max / 2, k: 3, threads: 16)
    #expect(huge.blocks == 16)
    #expect(huge.rows(ofBlock: 15).upperBound == Int.max / 2)
    #expect(ProductPartition.gemm(m: -5, n: 10, k: 10, threads: 4).blocks == 1)
    #expect(ProductPartition.gemm(m: 100, n: 100, k: 100, threads: Int.max).blocks <= ThreadPool.maximumChunks)
    let gemv = ProductPartition.gemv(outputs: Int.max, elements: Int.max, threads: 8)
    #expect(gemv.blocks == 8 && gemv.rows(ofBlock: 7).upperBound == Int.max)
    #expect(ProductPartition.gemv(outputs: 8, elements: 100_000, threads: 8).blocks == 1)
    #expect(ProductPartition.gemv(outputs: 256, elements: 256 * 784, threads: 2).blocks == 2)
}
