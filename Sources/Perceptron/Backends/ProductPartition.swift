/// How a product is divided among threads: a grid of row blocks × column blocks of its output,
/// each block one single-threaded BLAS call (see ``BLASBackend``). A pure function of the shape
/// and the thread count, so the same product is always divided the same way and its result does
/// not depend on timing.
///
/// The rule, few and large blocks rather than many and small:
/// - a block gets at least ``minimumMultiplyAdds`` multiply-adds (below it, handing the block to
///   another thread costs about what it saves); so a product is divided only from twice that,
///   OpenBLAS's own threshold for threading (`m·n·k` ≥ 65,536 × 4);
/// - in the order the caller asks for (``Order``): by default rows first when every thread can
///   get ``preferredRows`` rows (row blocks were faster than column blocks for every GEMM of a
///   training step at batch 128 and 256 measured alone at 2 threads,
///   `Benchmarks/results/split-shapes.txt`), then column blocks of at least ``minimumColumns``
///   columns when the rows run out; for shorter products columns first, then rows of at least
///   ``minimumRows`` (at batch 32 and 2 threads the step's GEMMs took 0.21–0.26 ms divided by
///   columns against 0.36 ms by rows of 16; OpenBLAS divides that way too). Never columns when
///   the work applied to each block needs whole rows (a softmax epilogue);
/// - block edges on multiples of 8 rows and 16 columns (whole register blocks of OpenBLAS's
///   kernels).
struct ProductPartition: Equatable, Sendable {
    /// Rows and columns of the whole output.
    var m: Int
    var n: Int
    /// How many blocks of rows and of columns (at least 1 each).
    var rowBlocks: Int
    var columnBlocks: Int

    /// A block gets at least this many multiply-adds.
    static let minimumMultiplyAdds = 131_072
    /// Row blocks of fewer rows than this are a last resort.
    static let preferredRows = 64
    /// A row block has at least this many rows.
    static let minimumRows = 16
    /// A column block has at least this many columns.
    static let minimumColumns = 64
    /// A ?gemv block (of `y`) has at least this many elements of `A` (below it, waking a
    /// helper costs about what it saves).
    static let minimumGEMVElements = 32_768

    /// Blocks in all; block `b` is row block `b / columnBlocks`, column block `b % columnBlocks`.
    var blocks: Int { rowBlocks * columnBlocks }

    /// Rows of block `b`.
    func rows(ofBlock b: Int) -> Range<Int> {
        let r = b / columnBlocks
        return Self.edge(r, of: rowBlocks, count: m, multiple: 8)..<Self.edge(r + 1, of: rowBlocks, count: m, multiple: 8)
    }

    /// Columns of block `b`.
    func columns(ofBlock b: Int) -> Range<Int> {
        let c = b % columnBlocks
        return Self.edge(c, of: columnBlocks, count: n, multiple: 16)
            ..< Self.edge(c + 1, of: columnBlocks, count: n, multiple: 16)
    }

    /// Which blocks to make first.
    enum Order: Sendable {
        /// Rows while every thread gets ``preferredRows``, else columns first.
        case rowsFirst
        /// Columns first: for a product `X·Wᵀ` whose columns are the rows of a weight matrix,
        /// so that each thread reads only the rows of `W` its block needs.
        case columnsFirst
        /// Row blocks only: the work applied to each block needs whole rows.
        case rowsOnly
    }

    /// The partition of an `m × n` output with inner dimension `k` among at most `threads`
    /// threads, in `order`. One block when it is not worth dividing.
    static func gemm(m: Int, n: Int, k: Int, threads: Int, order: Order = .rowsFirst) -> ProductPartition {
        let (m, n) = (max(0, m), max(0, n))
        let work = saturatingProduct(saturatingProduct(m, n), max(0, k))
        let limit = min(threads, work / minimumMultiplyAdds, ThreadPool.maximumChunks)
        guard limit >= 2 else { return whole(m: m, n: n) }
        let wholeRows = order == .rowsOnly
        if !wholeRows, order == .columnsFirst || m / limit < preferredRows, n / minimumColumns >= 2 {
            // Short products: columns first, keeping whole rows of C per block.
            let columnBlocks = max(1, min(limit, n / minimumColumns))
            let rowBlocks = max(1, min(limit / columnBlocks, m / minimumRows))
            return ProductPartition(m: m, n: n, rowBlocks: rowBlocks, columnBlocks: columnBlocks)
        }
        let rowBlocks = max(1, min(limit, m / minimumRows))
        let columnBlocks = wholeRows ? 1 : max(1, min(limit / rowBlocks, n / minimumColumns))
        return ProductPartition(m: m, n: n, rowBlocks: rowBlocks, columnBlocks: columnBlocks)
    }

    /// The partition of a ?gemv's `outputs` elements of `y` (`A` has `elements` elements)
    /// among at most `threads` threads: blocks of `y` only (`n` is 1).
    static func gemv(outputs: Int, elements: Int, threads: Int) -> ProductPartition {
        let outputs = max(0, outputs)
        let limit = min(threads, max(0, elements) / minimumGEMVElements, ThreadPool.maximumChunks)
        let blocks = max(1, min(limit, outputs / minimumRows))
        return ProductPartition(m: outputs, n: 1, rowBlocks: blocks, columnBlocks: 1)
    }

    /// One block of everything.
    static func whole(m: Int, n: Int) -> ProductPartition {
        ProductPartition(m: m, n: n, rowBlocks: 1, columnBlocks: 1)
    }

    /// Edge `e` of `blocks` blocks over `0 ..< count`: 0, `count`, and between them an even
    /// division rounded to the nearest multiple of `multiple`. Strictly increasing when each
    /// block would be at least `2·multiple` wide, as the minimum sizes above ensure.
    static func edge(_ e: Int, of blocks: Int, count: Int, multiple: Int) -> Int {
        if e <= 0 { return 0 }
        if e >= blocks { return count }
        let even = count / blocks * e + count % blocks * e / blocks  // e·count/blocks, no overflow
        return min(count, (even + multiple / 2) / multiple * multiple)
    }

    private static func saturatingProduct(_ a: Int, _ b: Int) -> Int {
        let (product, overflow) = a.multipliedReportingOverflow(by: b)
        return overflow ? Int.max : product
    }
}
