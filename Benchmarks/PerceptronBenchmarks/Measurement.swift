#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Seconds on the monotonic clock (`clock_gettime(CLOCK_MONOTONIC)`).
func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

/// Median, minimum and maximum of repeated measurements (one value per sample).
struct Summary: Codable, Sendable {
    /// The middle value; the mean of the two middle values for an even count.
    var median: Double
    var min: Double
    var max: Double
    /// How many samples were taken.
    var count: Int

    /// The summary of `values` (at least one).
    init(_ values: [Double]) {
        precondition(!values.isEmpty, "a summary needs at least one sample")
        let sorted = values.sorted()
        let middle = sorted.count / 2
        median = sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
        min = sorted[0]
        max = sorted[sorted.count - 1]
        count = sorted.count
    }

    /// Every value multiplied by `factor` (e.g. seconds to milliseconds).
    func scaled(by factor: Double) -> Summary {
        var s = self
        s.median *= factor
        s.min *= factor
        s.max *= factor
        return s
    }
}

/// How much to measure: everything (`full`), the CI set (`--quick`), or the CI set cut down
/// further for a debug build (`tiny`: debug code is 10–50× slower, and its times mean nothing).
enum Scale: Sendable {
    case full, quick, tiny

    var isReduced: Bool { self != .full }
}

/// How long and how often to measure: a sample times `iterations` back-to-back calls, chosen so
/// a sample lasts about `sampleSeconds`; the summary is over `samples` samples after `warmup` calls.
struct MeasurementPlan: Sendable {
    var warmup: Int
    var samples: Int
    var sampleSeconds: Double
    /// A cap on the whole measurement of one configuration (samples are cut short past it,
    /// keeping at least three).
    var budgetSeconds: Double

    /// The full run's plan.
    static let full = MeasurementPlan(warmup: 3, samples: 15, sampleSeconds: 0.02, budgetSeconds: 3)
    /// `--quick`: fewer, shorter samples.
    static let quick = MeasurementPlan(warmup: 1, samples: 5, sampleSeconds: 0.005, budgetSeconds: 0.5)

    /// The same plan with a different sample count.
    func with(samples: Int) -> MeasurementPlan {
        var p = self
        p.samples = samples
        return p
    }
}

/// Seconds per call of `body`: one value per sample (sample time / iterations), after warm-up.
func measure(_ plan: MeasurementPlan, _ body: () -> Void) -> [Double] {
    let iterations = calibrate(plan, body)
    let start = now()
    var perCall: [Double] = []
    perCall.reserveCapacity(plan.samples)
    for s in 0..<plan.samples {
        let t0 = now()
        for _ in 0..<iterations { body() }
        perCall.append((now() - t0) / Double(iterations))
        if s >= 2 && now() - start > plan.budgetSeconds { break }
    }
    return perCall
}

/// Paired measurement of two bodies: samples alternate `a`, `b`, `a`, `b`, … so that a burst of
/// machine noise hits both alike. Returns seconds per call of each, sample by sample.
func measurePaired(_ plan: MeasurementPlan, _ a: () -> Void, _ b: () -> Void) -> (a: [Double], b: [Double]) {
    withoutActuallyEscaping(a) { a in
        withoutActuallyEscaping(b) { b in
            let times = measureInterleaved(plan, [a, b])
            return (times[0], times[1])
        }
    }
}

/// ``measurePaired(_:_:_:)`` for any number of bodies: sample `s` of each is taken in turn,
/// so that `times[i][s]` and `times[j][s]` saw the same machine state. After body `i`'s sample
/// the thread sleeps `restAfter[i]` seconds (if given), untimed.
func measureInterleaved(
    _ plan: MeasurementPlan, _ bodies: [() -> Void], restAfter: [Double] = []
) -> [[Double]] {
    let iterations = bodies.map { calibrate(plan, $0) }
    let start = now()
    var times = [[Double]](repeating: [], count: bodies.count)
    for s in 0..<plan.samples {
        for (i, body) in bodies.enumerated() {
            let t0 = now()
            for _ in 0..<iterations[i] { body() }
            times[i].append((now() - t0) / Double(iterations[i]))
            if i < restAfter.count, restAfter[i] > 0 { usleep(UInt32(restAfter[i] * 1e6)) }
        }
        if s >= 2 && now() - start > 2 * plan.budgetSeconds { break }
    }
    return times
}

/// Runs the warm-up calls and returns how many calls fill one sample.
private func calibrate(_ plan: MeasurementPlan, _ body: () -> Void) -> Int {
    let warmupStart = now()
    for _ in 0..<max(1, plan.warmup) {
        body()
        if now() - warmupStart > plan.budgetSeconds / 4 { break }
    }
    let t0 = now()
    body()
    let once = max(now() - t0, 1e-9)
    return max(1, Int(plan.sampleSeconds / once))
}
