import CAllocCounter
import Perceptron

/// Which backend a step runs on, with the concrete value so that calls are specialised.
enum BenchBackend: Sendable {
    case blas(BLASBackend)
    case naive(NaiveBackend)

    var name: String {
        switch self {
        case .blas: "blas"
        case .naive: "naive"
        }
    }

    var erased: any Backend {
        switch self {
        case .blas(let b): b
        case .naive(let n): n
        }
    }
}

/// A way to build a training step: given a backend and a batch size, a closure that runs one
/// step (forward, loss, backward, optimizer update) on a fixed batch.
struct StepImplementation {
    /// `"network"` (the library's `Network`) , `"handwritten"` (``ReferenceStep``) or `"normalized"` (with batch_norm and dropout).
    var name: String
    var make: (BenchBackend, _ batch: Int) throws -> () -> Void
    /// The GEMMs one step makes, in order, if the implementation can run on a
    /// ``RecordingBackend``.
    var recordGEMMs: ((_ batch: Int) throws -> [GEMMShape])?
    /// The step's parts, each runnable alone on the same state (e.g. forward + backward, the
    /// optimizer update), to show where the time goes.
    var parts: ((BenchBackend, _ batch: Int) throws -> [(name: String, run: () -> Void)])? = nil
}

/// Mallocs and bytes per call of `body` on the calling thread, and mallocs per call on every
/// thread of the process (helper threads included), over `count` calls, after one warm-up call
/// (counted by the CAllocCounter target; 0 when it is off, e.g. under a sanitizer).
func allocations(count: Int, _ body: () -> Void) -> (mallocs: Double, bytes: Double, allThreads: Double) {
    body()
    let m0 = alloc_counter_mallocs(), b0 = alloc_counter_bytes(), a0 = alloc_counter_mallocs_all_threads()
    for _ in 0..<count { body() }
    let all = alloc_counter_mallocs_all_threads() - a0
    return (
        Double(alloc_counter_mallocs() - m0) / Double(count), Double(alloc_counter_bytes() - b0) / Double(count),
        Double(all) / Double(count)
    )
}

/// Section 2: training-step time against the GEMM floor, and allocations per step.
struct TrainingStepBenchmark {
    var plan: MeasurementPlan
    var scale: Scale
    var threadCounts: [Int]
    var includeNaive: Bool
    var widths: [Int]

    var batches: [Int]

    func run(_ implementation: StepImplementation, progress: (String) -> Void) throws -> [TrainingStepRow] {
        let batchesToRun = batches
        var rows: [TrainingStepRow] = []
        if BLASBackend.isAvailable {
            for threads in threadCounts {
                BLASBackend.setThreadCount(threads)
                guard let blas = try? BLASBackend(threads: threads) else { break }
                for batch in batchesToRun {
                    progress("\(implementation.name) step blas \(threads)t batch \(batch)")
                    rows.append(try measureStep(implementation, .blas(blas), threads: threads, batch: batch, plan: plan))
                }
            }
        }
        if includeNaive {
            BLASBackend.setThreadCount(1)
            // A naive step takes 0.03–0.3 s: fewer samples; the floor is the naive GEMMs.
            let naivePlan = MeasurementPlan(warmup: 1, samples: scale.isReduced ? 3 : 5, sampleSeconds: 0, budgetSeconds: scale.isReduced ? 1 : 4)
            for batch in scale.isReduced ? [32] : batchesToRun {
                progress("\(implementation.name) step naive batch \(batch)")
                rows.append(try measureStep(implementation, .naive(NaiveBackend()), threads: 1, batch: batch, plan: naivePlan))
            }
        }
        return rows
    }

    private func measureStep(
        _ implementation: StepImplementation, _ backend: BenchBackend, threads: Int, batch: Int, plan: MeasurementPlan
    ) throws -> TrainingStepRow {
        let step = try implementation.make(backend, batch)
        let floorShapes = trainingStepGEMMs(widths: widths, batch: batch)
        let floor = GEMMOperands<Float>(floorShapes, seed: 11)
        let recorded = try implementation.recordGEMMs?(batch)
        // The floor as the issue defines it: each GEMM one OpenBLAS call, with OpenBLAS's own
        // threads. With BLAS, also the same GEMMs as the step makes them (at 2 threads, split
        // across Perceptron's two threads): what the step's GEMMs alone cost.
        let runFloor: () -> Void
        var runSplitFloor: (() -> Void)?
        switch backend {
        case .blas(let b):
            var unsplit = b
            unsplit.splitsAcrossThreads = false
            runFloor = { floor.runAll(on: unsplit) }
            runSplitFloor = { floor.runAll(on: b) }
        case .naive(let n): runFloor = { floor.runAll(on: n) }
        }
        for _ in 0..<2 { step() }
        let alloc = allocations(count: backend.name == "naive" ? 2 : 20, step)
        let floorAlloc = allocations(count: backend.name == "naive" ? 2 : 20, runFloor)
        // After a threaded OpenBLAS call its worker threads spin for about 0.1 s (2^28 cycles,
        // OpenBLAS's default THREAD_TIMEOUT) before they sleep; spinning beside the next body's
        // threads on 2 cores, they made the split floor and the step 1.5–2× slower in some runs.
        // In a training run OpenBLAS never threads at 2 threads (Perceptron splits), so the
        // floor's workers are left to fall asleep before the next body runs.
        let rest = threads >= 2 && backend.name == "blas" && !scale.isReduced ? 0.15 : 0
        let times = measureInterleaved(
            plan, [step, runFloor] + (runSplitFloor.map { [$0] } ?? []), restAfter: [0, rest])
        let (stepTimes, floorTimes) = (times[0], times[1])
        let splitFloorTimes = times.count > 2 ? times[2] : nil
        var partMs: [String: Double] = [:]
        if backend.name == "blas", let parts = try implementation.parts?(backend, batch) {
            for part in parts { partMs[part.name] = Summary(measure(plan, part.run)).median * 1e3 }
        }
        let s = Summary(stepTimes).scaled(by: 1e3)
        let f = Summary(floorTimes).scaled(by: 1e3)
        let ratios = zip(stepTimes, floorTimes).map { $0 / $1 }
        return TrainingStepRow(
            batch: batch, threads: threads, backend: backend.name, medianMs: s.median, minMs: s.min, maxMs: s.max,
            samplesPerSecond: Double(batch) / s.median * 1e3, gemmFloorMs: f.median, gemmFloorMinMs: f.min,
            gemmFloorMaxMs: f.max, ratioToGemmFloor: Summary(ratios).median,
            ratioOfMinimums: s.min / f.min, allocationsPerStep: alloc.mallocs,
            allocatedBytesPerStep: alloc.bytes, allocationsPerStepAllThreads: alloc.allThreads, gemmCallsPerStep: recorded?.count,
            gemmCallsMatchFloor: recorded.map { sameGEMMs($0, floorShapes) },
            implementation: implementation.name, gemmFloorBackend: backend.name,
            gemmFloorAllocationsPerStep: floorAlloc.mallocs, partsMs: partMs.isEmpty ? nil : partMs,
            splitGemmFloorMs: splitFloorTimes.map { Summary($0).median * 1e3 },
            ratioToSplitGemmFloor: splitFloorTimes.map { Summary(zip(stepTimes, $0).map { $0 / $1 }).median })
    }
}

extension StepImplementation {
    /// The hand-written reference step on preallocated buffers.
    static func handwritten(widths: [Int]) -> StepImplementation {
        StepImplementation(
            name: "handwritten",
            make: { backend, batch in
                switch backend {
                case .blas(let b):
                    let s = ReferenceStep(backend: b, widths: widths, batch: batch, seed: 3)
                    return { s.run() }
                case .naive(let n):
                    let s = ReferenceStep(backend: n, widths: widths, batch: batch, seed: 3)
                    return { s.run() }
                }
            },
            recordGEMMs: { batch in
                let log = CallLog()
                let s = ReferenceStep(backend: RecordingBackend(inner: NaiveBackend(), log: log), widths: widths, batch: batch, seed: 3)
                s.run()
                return log.gemms
            })
    }
}
