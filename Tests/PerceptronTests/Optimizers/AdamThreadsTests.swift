import Testing

@testable import Perceptron

/// The split update must equal the single-thread update bit for bit: it is elementwise, and
/// each element sees the same operations whichever thread runs its chunk.
private func checkSplitUpdate<T: Scalar>(_: T.Type, decays: Bool, streaming: Bool = false) throws {
  for threads in [2, 3, 8, 16] {
    // Sizes around the chunking: one short last chunk, exact multiples, a prime.
    for count in [64, 1_000, 40_000, 65_536, 100_003] {
        var rng = SeededGenerator(seed: UInt64(count))
        let g = (0..<count).map { _ in rng.uniform(T(-1), T(1)) }
        let start = (0..<count).map { _ in rng.uniform(T(-1), T(1)) }
        let m0 = (0..<count).map { _ in rng.uniform(T(-0.1), T(0.1)) }
        let v0 = (0..<count).map { _ in rng.uniform(T(0), T(0.01)) }
        let c = AdamCoefficients<T>(
            w1: 0.1, b2: 0.999, w2: T(1) - T(0.999), stepSize: T(0.001) / T(0.271), inverseCorrection2Root: 23,
            eps: 1e-8, decays: decays, shrink: decays ? 0.99 : 1, l2: decays ? 0.01 : 0, streamsParameters: streaming)
        var (p1, m1, v1) = (start, m0, v0)
        var (p2, m2, v2) = (start, m0, v0)
        for _ in 0..<3 {
            g.withUnsafeBufferPointer { gb in
                p1.withUnsafeMutableBufferPointer { p in
                    m1.withUnsafeMutableBufferPointer { m in
                        v1.withUnsafeMutableBufferPointer { v in
                            Adam<T>.applyInChunks(
                                p.baseAddress!, gb.baseAddress!, m.baseAddress!, v.baseAddress!, count: count, c,
                                threads: threads)
                        }
                    }
                }
                p2.withUnsafeMutableBufferPointer { p in
                    m2.withUnsafeMutableBufferPointer { m in
                        v2.withUnsafeMutableBufferPointer { v in
                            Adam<T>.loop(
                                p.baseAddress!, gb.baseAddress!, m.baseAddress!, v.baseAddress!, count, c.w1, c.b2,
                                c.w2, c.stepSize, c.inverseCorrection2Root, c.eps, decays: decays, c.shrink, c.l2)
                        }
                    }
                }
            }
        }
        #expect(p1 == p2 && m1 == m2 && v1 == v2, "count \(count), \(threads) threads")
    }
  }
}

@Test(arguments: [false, true], [false, true])
func adamSplitAcrossTwoThreadsEqualsTheSingleThreadLoopInFloat(decays: Bool, streaming: Bool) throws {
    try checkSplitUpdate(Float.self, decays: decays, streaming: streaming)
}

@Test(arguments: [false, true])
func adamSplitAcrossTwoThreadsEqualsTheSingleThreadLoopInDouble(decays: Bool) throws {
    try checkSplitUpdate(Double.self, decays: decays)
}

@Test func adamChunksCoverTheTensorInWholeCacheLinesAndGiveEachThreadEnough() {
    for count in [1, 63, 64, 65, 4_097, 32_768, 235_146, 1_000_003, 1 << 40] {
        for threads in [1, 2, 3, 4, 8, 16, 64, 1_000] {
            let (chunks, size, used) = Adam<Float>.chunking(count: count, threads: threads)
            let label = "count \(count), \(threads) threads"
            #expect(size % 64 == 0 && size >= 64, "\(label)")
            #expect(chunks >= 1 && chunks <= ThreadPool.maximumChunks, "\(label)")
            #expect(chunks * size >= count && (chunks - 1) * size < count, "\(label)")
            #expect(used >= 1 && used <= threads, "\(label)")
            if used > 1 { #expect(count / used >= Adam<Float>.parallelThreshold / 2, "\(label)") }
        }
    }
}

@Test func networkUpdateTakesItsThreadsFromTheBackend() throws {
    // An optimizer that records the thread count it is given.
    struct Recording: Optimizer {
        var learningRate: Float = 0
        var threads: [Int] = []
        mutating func update(_ parameters: UnsafeMutableBufferPointer<Float>, gradients: UnsafeBufferPointer<Float>) {
            threads.append(1)
        }
        mutating func update(
            _ parameters: UnsafeMutableBufferPointer<Float>, gradients: UnsafeBufferPointer<Float>, threads: Int
        ) {
            self.threads.append(threads)
        }
    }
    var g = SeededGenerator(seed: 3)
    var naive = try Network<Float>(sizes: [4, 3], using: &g, backend: NaiveBackend())
    var optimizer = Recording()
    naive.update(using: &optimizer)
    var expected = [1]
    if let blas = try? BLASBackend(threads: 5) {
        var network = try Network<Float>(sizes: [4, 3], using: &g, backend: blas)
        network.update(using: &optimizer)
        expected.append(5)
    }
    #expect(optimizer.threads == expected)
}
