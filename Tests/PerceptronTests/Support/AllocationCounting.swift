import CAllocCounter

/// Mallocs per call of `body` on this thread after one warm-up call.
func mallocsPerCall(_ count: Int = 20, _ body: () throws -> Void) rethrows -> Double {
    try body()
    let start = alloc_counter_mallocs()
    for _ in 0..<count { try body() }
    return Double(alloc_counter_mallocs() - start) / Double(count)
}

/// Debug builds allocate in places an optimised build does not (see RECIPES 5b), so the
/// allocation tests run only in release builds (`swift test -c release`) with the counter on.
#if DEBUG
    let countsAllocations = false
#else
    let countsAllocations = alloc_counter_enabled() != 0
#endif
