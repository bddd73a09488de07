import Perceptron

/// One GEMM `C[m, n] = op(A)·op(B)` with the role it plays.
struct GEMMShape: Sendable, Equatable {
    var m: Int
    var n: Int
    var k: Int
    var transA: Bool
    var transB: Bool
    /// `"square"`, or the training-step role: `"forward 1"`, `"dW 2"`, `"dX 3"`…
    var role: String
    var batch: Int?

    /// `2·m·n·k`.
    var flops: Double { 2 * Double(m) * Double(n) * Double(k) }

    /// `"N·T"`-style flags: `N` not transposed, `T` transposed, for A then B.
    var flags: String { (transA ? "T" : "N") + (transB ? "T" : "N") }

    static func square(_ size: Int) -> GEMMShape {
        GEMMShape(m: size, n: size, k: size, transA: false, transB: false, role: "square")
    }
}

/// The GEMMs of one training step of a batch-first dense network, `Y = X·Wᵀ + b` with `W`
/// stored `[out, in]`, in the order a sequential network makes them:
/// forward `Y = X·Wᵀ` (B transposed) for every layer, then from the last layer back,
/// `dW = Gᵀ·X` (A transposed) and, except for the first layer, `dX = G·W` (no transposes).
/// This is the least any implementation must multiply: the input needs no gradient.
func trainingStepGEMMs(widths: [Int], batch: Int) -> [GEMMShape] {
    var shapes: [GEMMShape] = []
    let layers = widths.count - 1
    for l in 0..<layers {
        shapes.append(GEMMShape(
            m: batch, n: widths[l + 1], k: widths[l], transA: false, transB: true,
            role: "forward \(l + 1)", batch: batch))
    }
    for l in stride(from: layers - 1, through: 0, by: -1) {
        shapes.append(GEMMShape(
            m: widths[l + 1], n: widths[l], k: batch, transA: true, transB: false,
            role: "dW \(l + 1)", batch: batch))
        if l > 0 {
            shapes.append(GEMMShape(
                m: batch, n: widths[l], k: widths[l + 1], transA: false, transB: false,
                role: "dX \(l + 1)", batch: batch))
        }
    }
    return shapes
}

/// Preallocated, randomly filled operands for a list of GEMMs, so that running the list
/// through a backend allocates nothing.
final class GEMMOperands<T: Scalar> {
    let shapes: [GEMMShape]
    private var a: [UnsafeMutableBufferPointer<T>] = []
    private var b: [UnsafeMutableBufferPointer<T>] = []
    private var c: [UnsafeMutableBufferPointer<T>] = []

    init(_ shapes: [GEMMShape], seed: UInt64) {
        self.shapes = shapes
        var rng = SeededGenerator(seed: seed)
        func filled(_ count: Int) -> UnsafeMutableBufferPointer<T> {
            let p = UnsafeMutableBufferPointer<T>.allocate(capacity: max(1, count))
            for i in 0..<p.count { p[i] = rng.uniform(-1, 1) }
            return p
        }
        for s in shapes {
            a.append(filled(s.m * s.k))
            b.append(filled(s.k * s.n))
            c.append(filled(s.m * s.n))
        }
    }

    deinit {
        for p in a + b + c { p.deallocate() }
    }

    /// Runs GEMM `i` through `backend`: `C ← op(A)·op(B)` (β = 0).
    @inline(__always)
    func run<B: Backend>(_ i: Int, on backend: B) {
        let s = shapes[i]
        // Row-major leading dimensions: the column count of each operand as stored.
        backend.gemm(
            transposeA: s.transA, transposeB: s.transB, m: s.m, n: s.n, k: s.k,
            alpha: 1, a: UnsafeBufferPointer(a[i]), lda: s.transA ? s.m : s.k,
            b: UnsafeBufferPointer(b[i]), ldb: s.transB ? s.k : s.n,
            beta: 0, c: c[i], ldc: s.n)
    }

    /// Runs every GEMM of the list, back to back, in order.
    func runAll<B: Backend>(on backend: B) {
        for i in shapes.indices { run(i, on: backend) }
    }
}

/// Section 1: GFLOP/s of single GEMMs through each backend.
struct GEMMBenchmark {
    var plan: MeasurementPlan
    var scale: Scale
    var threadCounts: [Int]
    var includeNaive: Bool

    /// Square sizes measured with BLAS; naive stops at `naiveLimit`.
    var squareSizes: [Int] {
        switch scale {
        case .full: [64, 128, 256, 512, 1024]
        case .quick: [64, 128, 256]
        case .tiny: [64, 128]
        }
    }
    var naiveLimit: Int { scale == .full ? 512 : scale == .quick ? 128 : 64 }
    var stepBatches: [Int] { scale == .full ? [32, 128, 256] : scale == .quick ? [128] : [32] }

    func run(widths: [Int], progress: (String) -> Void) -> [GEMMRow] {
        var rows: [GEMMRow] = []
        for size in squareSizes {
            progress("gemm square \(size)")
            rows += measureShape(Float.self, .square(size), naive: size <= naiveLimit)
            rows += measureShape(Double.self, .square(size), naive: size <= naiveLimit)
        }
        for batch in stepBatches {
            progress("gemm training step batch \(batch)")
            for shape in trainingStepGEMMs(widths: widths, batch: batch) {
                rows += measureShape(Float.self, shape, naive: scale != .tiny)
            }
        }
        return rows
    }

    /// BLAS at each thread count, then naive; BLAS rows get the speedup over naive.
    private func measureShape<T: Scalar>(_: T.Type, _ shape: GEMMShape, naive: Bool) -> [GEMMRow] {
        let operands = GEMMOperands<T>([shape], seed: 7)
        var rows: [GEMMRow] = []
        if BLASBackend.isAvailable {
            for threads in threadCounts {
                BLASBackend.setThreadCount(threads)
                guard let blas = try? BLASBackend(threads: threads) else { break }
                let times = measure(plan) { operands.run(0, on: blas) }
                rows.append(row(T.self, shape, "blas", threads, times))
            }
        }
        if naive && includeNaive {
            let backend = NaiveBackend()
            var naivePlan = plan
            // A naive product of 512³ takes most of a second: fewer, single-call samples.
            if shape.flops > 5e7 { naivePlan = plan.with(samples: min(plan.samples, 5)) }
            let times = measure(naivePlan) { operands.run(0, on: backend) }
            let naiveRow = row(T.self, shape, "naive", 1, times)
            for i in rows.indices { rows[i].speedupOverNaive = rows[i].gflops / naiveRow.gflops }
            rows.append(naiveRow)
        }
        return rows
    }

    private func row<T: Scalar>(_: T.Type, _ s: GEMMShape, _ backend: String, _ threads: Int, _ times: [Double]) -> GEMMRow {
        let t = Summary(times)
        return GEMMRow(
            dtype: T.precision == .float32 ? "float32" : "float64", m: s.m, n: s.n, k: s.k,
            transA: s.transA, transB: s.transB, backend: backend, threads: threads, role: s.role,
            gflops: s.flops / t.median * 1e-9, gflopsMin: s.flops / t.max * 1e-9,
            gflopsMax: s.flops / t.min * 1e-9, medianUs: t.median * 1e6, speedupOverNaive: nil,
            batch: s.batch)
    }
}
