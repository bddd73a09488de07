/// The Adam update divided among threads (``ThreadPool``).
///
/// Once the update runs as a vector kernel it is bound by memory bandwidth (four streams in,
/// three out), and each core brings its own: with two threads the update takes about half the
/// time. Elementwise, so the division changes no result.
extension Adam {
    /// Tensors below this many elements are updated on the calling thread: waking a helper
    /// costs about as much as updating them. Each thread gets at least half of this.
    static var parallelThreshold: Int { 32_768 }

    /// How the update of `count` elements is divided among up to `threads` threads: as many
    /// threads as get at least half of ``parallelThreshold`` elements each, 8 chunks per thread
    /// (at most 64), each a multiple of 64 elements (whole cache lines and vector registers),
    /// so that a late helper leaves little for the others to wait on.
    static func chunking(count: Int, threads: Int) -> (chunks: Int, chunkSize: Int, threads: Int) {
        let threads = max(1, min(threads, count / (parallelThreshold / 2), ThreadPool.maximumThreads))
        let target = min(ThreadPool.maximumChunks, 8 * threads)
        let chunkSize = max(64, ((count + target - 1) / target + 63) / 64 * 64)
        return ((count + chunkSize - 1) / chunkSize, chunkSize, threads)
    }

    /// The update over `count` elements in chunks run by this thread and the pool's helpers.
    static func applyInChunks(
        _ p: UnsafeMutablePointer<Element>, _ g: UnsafePointer<Element>, _ m: UnsafeMutablePointer<Element>,
        _ v: UnsafeMutablePointer<Element>, count: Int, _ c: AdamCoefficients<Element>, threads: Int
    ) {
        let (chunks, chunkSize, threads) = chunking(count: count, threads: threads)
        let work = AdamChunks(p: p, g: g, m: m, v: v, count: count, chunkSize: chunkSize, coefficients: c)
        ThreadPool.shared.forEach(chunks: chunks, threads: threads, work)
    }
}

/// One divided Adam update: chunk `i` is elements `i·chunkSize ..< min((i + 1)·chunkSize, count)`.
struct AdamChunks<Element: Scalar>: ChunkedWork {
    var p: UnsafeMutablePointer<Element>
    var g: UnsafePointer<Element>
    var m: UnsafeMutablePointer<Element>
    var v: UnsafeMutablePointer<Element>
    var count: Int
    var chunkSize: Int
    var coefficients: AdamCoefficients<Element>

    /// Updates the elements of chunk `chunk`.
    func run(chunk: Int) {
        let start = chunk * chunkSize
        let n = min(chunkSize, count - start)
        if n > 0 { Adam.applySerially(p + start, g + start, m + start, v + start, count: n, coefficients) }
    }
}
