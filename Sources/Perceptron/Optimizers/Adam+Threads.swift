/// The Adam update split between the calling thread and ``HelperThread``.
///
/// Once the update runs as a vector kernel it is bound by memory bandwidth (four streams in,
/// three out), and each core brings its own: with two threads the update takes about half the
/// time. Elementwise, so the split changes no result.
extension Adam {
    /// Tensors below this many elements are updated on the calling thread: waking the helper
    /// costs about as much as updating them.
    static var parallelThreshold: Int { 32_768 }

    /// Whether to write the parameters with non-temporal stores: with two or more threads, the
    /// other core has just read them (the GEMMs of the step), and writing each cache line
    /// through the normal path first takes it away from that core. Measured on the 235,146
    /// parameters of a 784-256-128-10 network at batch 128 with OpenBLAS's 2 threads: the
    /// update inside a step took 0.110 ms with normal stores and 0.060 ms streaming, for 0.01 ms
    /// more in the next step's GEMMs (which read the parameters from memory, not cache). With
    /// the row-split GEMMs the two made no measurable difference (step 0.62–0.69 ms either way
    /// over three paired runs), so streaming stayed. Small tensors stay in cache for this
    /// core's next use.
    static func streamsParameters(count: Int) -> Bool {
        count * MemoryLayout<Element>.stride >= 256 * 1024 && BLAS.threadCount >= 2
    }

    /// Elements per chunk: a multiple of 64 (whole cache lines and vector registers), about
    /// 1/16 of the tensor, so a late helper leaves little for the caller to wait on.
    static func chunkSize(count: Int) -> Int {
        max(64, (count / 16 + 63) / 64 * 64)
    }

    /// The update over `count` elements in chunks claimed by this thread and `helper`.
    static func applyInChunks(
        _ p: UnsafeMutablePointer<Element>, _ g: UnsafePointer<Element>, _ m: UnsafeMutablePointer<Element>,
        _ v: UnsafeMutablePointer<Element>, count: Int, _ c: AdamCoefficients<Element>, helper: HelperThread
    ) {
        var job = AdamChunkJob(
            p: UnsafeMutableRawPointer(p), g: UnsafeRawPointer(g), m: UnsafeMutableRawPointer(m),
            v: UnsafeMutableRawPointer(v), count: count, chunkSize: chunkSize(count: count),
            precision: Element.precision, coefficients: c.converted(to: Double.self))
        let chunks = (count + job.chunkSize - 1) / job.chunkSize
        withUnsafeMutablePointer(to: &job) { context in
            helper.run(chunks: chunks, context: UnsafeMutableRawPointer(context)) { raw, chunk in
                raw.assumingMemoryBound(to: AdamChunkJob.self).pointee.run(chunk: chunk)
            }
        }
    }
}

/// One split Adam update, on the caller's stack: the tensors as raw pointers and the
/// coefficients widened to `Double` (exact for `Float`), so that a C function pointer, which
/// cannot be generic, can run any chunk.
struct AdamChunkJob {
    var p: UnsafeMutableRawPointer
    var g: UnsafeRawPointer
    var m: UnsafeMutableRawPointer
    var v: UnsafeMutableRawPointer
    var count: Int
    var chunkSize: Int
    var precision: Precision
    var coefficients: AdamCoefficients<Double>

    /// Updates elements `chunk·chunkSize ..< min((chunk + 1)·chunkSize, count)`.
    func run(chunk: Int) {
        let start = chunk * chunkSize
        let n = min(chunkSize, count - start)
        guard n > 0 else { return }
        switch precision {
        case .float32: run(Float.self, start, n)
        case .float64: run(Double.self, start, n)
        }
    }

    private func run<T: Scalar>(_: T.Type, _ start: Int, _ n: Int) {
        Adam<T>.applySerially(
            p.assumingMemoryBound(to: T.self) + start, g.assumingMemoryBound(to: T.self) + start,
            m.assumingMemoryBound(to: T.self) + start, v.assumingMemoryBound(to: T.self) + start, count: n,
            coefficients.converted(to: T.self))
    }
}
