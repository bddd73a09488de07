import CAllocCounter
import Foundation
import Perceptron

/// The training images of an epoch, flattened `[count, 784]` in [0, 1], with class labels.
struct EpochData: Sendable {
    var images: [Float]
    var labels: [Int]
    var features: Int
    var classes: Int
    /// `"fashion-mnist"` or `"synthetic"`.
    var source: String
    var count: Int { labels.count }

    /// Uniform pixels and random labels of Fashion-MNIST's shape (the timing does not depend on the values).
    static func synthetic(count: Int, features: Int = 784, classes: Int = 10, seed: UInt64 = 9) -> EpochData {
        var rng = SeededGenerator(seed: seed)
        var images = [Float](repeating: 0, count: count * features)
        for i in images.indices { images[i] = Float(rng.next() >> 40) * 0x1p-24 }
        let labels = (0..<count).map { _ in Int(rng.next() % UInt64(classes)) }
        return EpochData(images: images, labels: labels, features: features, classes: classes, source: "synthetic")
    }

    /// The first `count` samples.
    func prefix(_ count: Int) -> EpochData {
        let n = min(count, self.count)
        var d = self
        d.images = Array(images[0..<(n * features)])
        d.labels = Array(labels[0..<n])
        return d
    }
}

/// A way to train over data: given a backend, the data and the batch size, a closure that
/// trains one shuffled epoch over all of `data` and returns how many steps it ran. Everything
/// that is not part of an epoch (copying the data into the library's types) happens in `make`.
struct EpochImplementation {
    var name: String
    var make: (BenchBackend, EpochData, _ batch: Int) throws -> () throws -> Int
}

/// Section 4: wall time of one epoch (batch 128), both backends. The naive epoch is
/// extrapolated from its first steps (a full one takes minutes); the row says so.
struct EpochBenchmark {
    var scale: Scale
    var threadCounts: [Int]
    var includeNaive: Bool
    var batch = 128

    func run(_ implementation: EpochImplementation, data: EpochData, progress: (String) -> Void) throws -> [EpochRow] {
        var rows: [EpochRow] = []
        let totalSteps = (data.count + batch - 1) / batch
        if BLASBackend.isAvailable {
            for threads in threadCounts {
                BLASBackend.setThreadCount(threads)
                guard let blas = try? BLASBackend(threads: threads) else { break }
                progress("\(implementation.name) epoch blas \(threads)t (\(data.count) samples, \(data.source))")
                // Warm-up on three batches: OpenBLAS's threads, the code's first run.
                _ = try implementation.make(.blas(blas), data.prefix(3 * batch), batch)()
                let epoch = try implementation.make(.blas(blas), data, batch)
                var times: [Double] = []
                var steps = 0
                let epochs = scale == .full ? 3 : 1
                let m0 = alloc_counter_mallocs()
                for _ in 0..<epochs {
                    let t0 = now()
                    steps = try epoch()
                    times.append(now() - t0)
                }
                let mallocs = Double(alloc_counter_mallocs() - m0) / Double(epochs)
                let t = Summary(times)
                rows.append(EpochRow(
                    backend: "blas", threads: threads, seconds: t.median, minSeconds: t.min, maxSeconds: t.max,
                    epochsTimed: t.count, allocationsPerEpoch: mallocs, batch: batch, samples: data.count,
                    data: data.source, extrapolated: false, measuredSteps: steps, totalSteps: totalSteps,
                    implementation: implementation.name))
            }
        }
        if includeNaive {
            BLASBackend.setThreadCount(1)
            let measured = min(totalSteps, scale == .full ? 12 : scale == .quick ? 2 : 1)
            progress("\(implementation.name) epoch naive: \(measured) of \(totalSteps) steps, extrapolated")
            // An epoch over the first `measured` batches of the data, scaled to the whole epoch.
            let epoch = try implementation.make(.naive(NaiveBackend()), data.prefix(measured * batch), batch)
            let t0 = now()
            let steps = try epoch()
            let seconds = (now() - t0) / Double(steps) * Double(totalSteps)
            rows.append(EpochRow(
                backend: "naive", threads: 1, seconds: seconds, minSeconds: seconds, maxSeconds: seconds, epochsTimed: 1,
                allocationsPerEpoch: nil,
                batch: batch, samples: data.count, data: data.source,
                extrapolated: steps < totalSteps, measuredSteps: steps, totalSteps: totalSteps,
                implementation: implementation.name))
        }
        return rows
    }
}

extension EpochImplementation {
    /// The hand-written step over shuffled minibatches copied into its buffers.
    static func handwritten(widths: [Int]) -> EpochImplementation {
        EpochImplementation(name: "handwritten") { backend, data, batch in
            var rng = SeededGenerator(seed: 21)
            var order = Array(0..<data.count)
            func epoch<B: Backend>(_ s: ReferenceStep<B>) -> Int {
                order.shuffle(using: &rng)
                var ran = 0
                var start = 0
                while start < data.count {
                    s.load(data, indices: order[start..<min(start + batch, data.count)])
                    s.run()
                    start += batch
                    ran += 1
                }
                return ran
            }
            switch backend {
            case .blas(let b):
                let s = ReferenceStep(backend: b, widths: widths, batch: batch, seed: 3)
                return { epoch(s) }
            case .naive(let n):
                let s = ReferenceStep(backend: n, widths: widths, batch: batch, seed: 3)
                return { epoch(s) }
            }
        }
    }
}
