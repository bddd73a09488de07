import Testing

@testable import Perceptron

#if canImport(Glibc)
import Glibc
#endif

/// Each chunk increments its own counter: a chunk run twice or never shows as a count ≠ 1.
private struct CountChunks: ChunkedWork {
    var counts: UnsafeMutableBufferPointer<Int>

    func run(chunk: Int) {
        // Spend a little time so that several threads get chunks.
        var x = 0.0
        for i in 0..<2_000 { x += Double(i) }
        counts[chunk] += x > 0 ? 1 : 0
    }
}

private func countChunks(chunks: Int, threads: Int) -> [Int] {
    var counts = [Int](repeating: 0, count: chunks)
    counts.withUnsafeMutableBufferPointer { buffer in
        ThreadPool.shared.forEach(chunks: chunks, threads: threads, CountChunks(counts: buffer))
    }
    return counts
}

@Test func threadPoolRunsEveryChunkExactlyOnceForEveryThreadAndChunkCount() {
    let before = ThreadPool.shared.chunksRunByHelpers.load(ordering: .relaxed)
    for run in 0..<1_500 {
        let chunks = run % (ThreadPool.maximumChunks + 1)  // 0 ... 64
        let threads = 1 + run % 17  // 1 ... 17
        #expect(countChunks(chunks: chunks, threads: threads) == [Int](repeating: 1, count: chunks), "run \(run)")
    }
    // Helpers took part.
    #expect(ThreadPool.shared.chunksRunByHelpers.load(ordering: .relaxed) > before)
}

@Test func threadPoolStartsNoMoreHelpersThanOneCallCanUse() {
    // A request for more threads than chunks, or than the maximum, starts at most what is used.
    _ = countChunks(chunks: 3, threads: 1_000)
    #expect(ThreadPool.shared.helperCount <= ThreadPool.maximumThreads - 1)
    #expect(countChunks(chunks: 64, threads: Int.max) == [Int](repeating: 1, count: 64))
}

@Test func threadPoolServesConcurrentCallersEachExactlyOnce() async {
    // Callers that find the pool in use run their chunks alone: every caller still gets
    // every chunk exactly once.
    let allCorrect = await withTaskGroup(of: Bool.self) { group in
        for caller in 0..<4 {
            group.addTask {
                (0..<300).allSatisfy { run in
                    let chunks = 2 + (run + caller) % 30
                    return countChunks(chunks: chunks, threads: 2 + caller * 3)
                        == [Int](repeating: 1, count: chunks)
                }
            }
        }
        return await group.reduce(true) { $0 && $1 }
    }
    #expect(allCorrect)
}

@Test func threadPoolWakesSleepingHelpersForWorkPostedAfterAPause() {
    let pause = timespec(tv_sec: 0, tv_nsec: 4 * ThreadPool.spinNanoseconds)
    let before = ThreadPool.shared.chunksRunByHelpers.load(ordering: .relaxed)
    let sleepsBefore = ThreadPool.shared.sleeps.load(ordering: .relaxed)
    for run in 0..<20 {
        // Longer than the helpers spin, so each run finds them asleep and must wake them.
        var rest = pause
        nanosleep(&rest, nil)
        #expect(countChunks(chunks: 64, threads: 4) == [Int](repeating: 1, count: 64), "run \(run)")
    }
    #expect(ThreadPool.shared.chunksRunByHelpers.load(ordering: .relaxed) > before)
    #expect(ThreadPool.shared.sleeps.load(ordering: .relaxed) > sleepsBefore)
}
