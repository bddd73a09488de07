import Testing

@testable import Perceptron

#if canImport(Glibc)
import Glibc
#endif

/// Each chunk increments its own counter: a chunk run twice or never shows as a count ≠ 1.
private func countChunks(_ helper: HelperThread, chunks: Int) -> [Int] {
    var counts = [Int](repeating: 0, count: chunks)
    counts.withUnsafeMutableBufferPointer { buffer in
        helper.run(chunks: chunks, context: UnsafeMutableRawPointer(buffer.baseAddress!)) { raw, chunk in
            // Spend a little time so that both threads get chunks.
            var x = 0.0
            for i in 0..<2_000 { x += Double(i) }
            let slot = raw.assumingMemoryBound(to: Int.self) + chunk
            slot.pointee += x > 0 ? 1 : 0
        }
    }
    return counts
}

@Test func helperThreadRunsEveryChunkExactlyOnceAcrossManyRuns() throws {
    let helper = try #require(HelperThread.shared)
    let before = helper.chunksRunByHelper.load(ordering: .relaxed)
    for run in 0..<2_000 {
        let chunks = 1 + run % 37
        #expect(countChunks(helper, chunks: chunks) == [Int](repeating: 1, count: chunks), "run \(run)")
    }
    // The helper took part (on a 2-core machine it takes a good share of the chunks).
    #expect(helper.chunksRunByHelper.load(ordering: .relaxed) > before)
}

@Test func helperThreadServesConcurrentCallersEachExactlyOnce() async throws {
    let helper = try #require(HelperThread.shared)
    // Callers that find the helper in use run their chunks alone: every caller still gets
    // every chunk exactly once.
    let allCorrect = await withTaskGroup(of: Bool.self) { group in
        for caller in 0..<4 {
            group.addTask {
                (0..<300).allSatisfy { run in
                    let chunks = 2 + (run + caller) % 20
                    return countChunks(helper, chunks: chunks) == [Int](repeating: 1, count: chunks)
                }
            }
        }
        return await group.reduce(true) { $0 && $1 }
    }
    #expect(allCorrect)
}

@Test func helperThreadWakesFromSleepForWorkPostedAfterAPause() throws {
    let helper = try #require(HelperThread.shared)
    let pause = timespec(tv_sec: 0, tv_nsec: 4 * HelperThread.spinNanoseconds)
    let before = helper.chunksRunByHelper.load(ordering: .relaxed)
    let sleepsBefore = helper.sleeps.load(ordering: .relaxed)
    for run in 0..<20 {
        // Longer than the helper spins, so each run finds it asleep and must wake it.
        var rest = pause
        nanosleep(&rest, nil)
        #expect(countChunks(helper, chunks: 64) == [Int](repeating: 1, count: 64), "run \(run)")
    }
    #expect(helper.chunksRunByHelper.load(ordering: .relaxed) > before)
    #expect(helper.sleeps.load(ordering: .relaxed) > sleepsBefore)
}
