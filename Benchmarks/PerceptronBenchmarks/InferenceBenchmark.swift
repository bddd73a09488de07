import Perceptron

/// A way to build an inference call: given a backend and a batch size, a closure that runs the
/// forward pass of the 784-256-128-10 network on a fixed batch.
struct InferenceImplementation {
    /// `"network"` or `"handwritten"`.
    var name: String
    /// `"workspace"` (into a prepared workspace: the hot path) or `"predict"` (a new matrix per call).
    var mode: String
    var make: (BenchBackend, _ batch: Int) throws -> () -> Void
}

/// Section 3: inference latency of one sample and of a batch of 128.
struct InferenceBenchmark {
    var plan: MeasurementPlan
    var threadCounts: [Int]
    var includeNaive: Bool
    var scale: Scale

    static let batches = [1, 128]

    func run(_ implementation: InferenceImplementation, progress: (String) -> Void) throws -> [InferenceRow] {
        var rows: [InferenceRow] = []
        if BLASBackend.isAvailable {
            for threads in threadCounts {
                BLASBackend.setThreadCount(threads)
                guard let blas = try? BLASBackend(threads: threads) else { break }
                for batch in Self.batches {
                    progress("\(implementation.name) inference (\(implementation.mode)) blas \(threads)t batch \(batch)")
                    rows.append(try measure(implementation, .blas(blas), threads: threads, batch: batch))
                }
            }
        }
        if includeNaive {
            BLASBackend.setThreadCount(1)
            for batch in scale == .tiny ? [1] : Self.batches {
                progress("\(implementation.name) inference (\(implementation.mode)) naive batch \(batch)")
                rows.append(try measure(implementation, .naive(NaiveBackend()), threads: 1, batch: batch))
            }
        }
        return rows
    }

    private func measure(
        _ implementation: InferenceImplementation, _ backend: BenchBackend, threads: Int, batch: Int
    ) throws -> InferenceRow {
        let call = try implementation.make(backend, batch)
        let alloc = allocations(count: 20, call)
        let t = Summary(PerceptronBenchmarks.measure(plan, call)).scaled(by: 1e6)
        return InferenceRow(
            batch: batch, backend: backend.name, threads: threads, medianUs: t.median, minUs: t.min, maxUs: t.max,
            allocationsPerCall: alloc.mallocs, mode: implementation.mode, implementation: implementation.name)
    }
}

extension InferenceImplementation {
    /// The hand-written forward pass on preallocated buffers.
    static func handwritten(widths: [Int]) -> InferenceImplementation {
        InferenceImplementation(name: "handwritten", mode: "workspace") { backend, batch in
            switch backend {
            case .blas(let b):
                let s = ReferenceStep(backend: b, widths: widths, batch: batch, seed: 5)
                return { s.forward() }
            case .naive(let n):
                let s = ReferenceStep(backend: n, widths: widths, batch: batch, seed: 5)
                return { s.forward() }
            }
        }
    }
}
