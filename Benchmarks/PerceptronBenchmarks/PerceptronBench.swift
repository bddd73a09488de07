import ArgumentParser
import Foundation
import Perceptron

/// `perceptron-bench`: GEMM, training step, inference and epoch timings, BLAS against naive
/// and against the GEMM floor. Build with `-c release`: debug builds run but are not timings.
@main
struct PerceptronBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "perceptron-bench",
        abstract: "Measure Perceptron: GEMM GFLOP/s, training step vs the GEMM floor, inference, an epoch.",
        discussion: """
            Every figure is the median over repeated samples after warm-up, with the minimum and \
            maximum in brackets. Ratios come from measurements made alternately in the same run.
            """)

    @Flag(help: "A reduced set for CI (well under a minute in release).")
    var quick = false

    @Option(name: .customLong("json"), help: "Write the results as JSON to this file.")
    var jsonPath: String?

    @Option(name: .customLong("svg"), help: "Draw GFLOP/s by size and step time by batch size into this SVG file.")
    var svgPath: String?

    @Option(help: "Sections to run, comma-separated, from: gemm, step, inference, epoch, mpi (data-parallel training: run `mpirun -np N perceptron-bench --sections mpi`, built with the MPI trait).")
    var sections = "gemm,step,inference,epoch"

    @Option(help: "Thread counts, comma-separated, any list (e.g. 1,2,4,8,16): each row runs on a BLASBackend made with that many threads.")
    var threads = "1,2"

    @Option(help: "Training-step batch sizes, comma-separated (default 32,128,256; 128 with --quick).")
    var batches: String?

    @Option(help: "Samples per measurement (default 15; 5 with --quick). More samples steady the medians on a busy machine.")
    var samples: Int?

    @Option(help: "What to measure in the step, inference and epoch sections, comma-separated: network (the library), handwritten (the benchmark's reference step), normalized (the library's network with batch_norm and dropout(0.2) after each hidden linear layer: the step section only).")
    var implementations = "network,handwritten,normalized"

    @Flag(help: "Skip the naive backend (for peer comparisons).")
    var noNaive = false

    @Option(help: "Folder with the Fashion-MNIST IDX files for the epoch section.")
    var dataDir = "/usr/share/datasets/fashion-mnist"

    static let widths = [784, 256, 128, 10]

    #if DEBUG
    static let isDebugBuild = true
    #else
    static let isDebugBuild = false
    #endif

    var sectionList: [String] { sections.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
    var implementationList: [String] { implementations.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
    var batchList: [Int]? { batches.map { $0.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) } } }
    var threadList: [Int] { threads.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) } }

    func validate() throws {
        let known: Set = ["gemm", "step", "inference", "epoch", "mpi"]
        if let bad = sectionList.first(where: { !known.contains($0) }) {
            throw ValidationError("unknown section '\(bad)' in --sections: use gemm, step, inference, epoch, mpi")
        }
        if let list = batchList, list.isEmpty || list.contains(where: { $0 < 1 }) {
            throw ValidationError("--batches must list positive integers, e.g. 32,128,256")
        }
        if let bad = implementationList.first(where: { !["network", "handwritten", "normalized"].contains($0) }) {
            throw ValidationError("unknown implementation '\(bad)' in --implementations: use network, handwritten, normalized")
        }
        if let samples, samples < 1 { throw ValidationError("--samples must be at least 1") }
        if threadList.isEmpty || threadList.contains(where: { $0 < 1 }) {
            throw ValidationError("--threads must list positive integers, e.g. 1,2")
        }
    }

    func run() throws {
        let world = try Communicator.world()
        if world.size > 1 && sectionList != ["mpi"] {
            throw ValidationError("under mpirun, measure the data-parallel section alone: --sections mpi")
        }
        guard world.isRoot else {
            // The other ranks train with rank 0 and print nothing.
            _ = try dataParallel(world, progress: { _ in })
            return
        }
        let scale: Scale = quick ? (Self.isDebugBuild ? .tiny : .quick) : .full
        var plan: MeasurementPlan = quick ? .quick : .full
        if let samples {
            plan.samples = samples
            plan.budgetSeconds *= Double(samples) / 15
        }
        var report = Report(machine: .current(quick: quick), environment: BLASBackend.environment)
        if Self.isDebugBuild {
            report.notes.append(
                "debug build: these numbers are not timings (use swift run -c release perceptron-bench)"
                    + (quick ? "; --quick ran its debug subset" : ""))
        }
        printHeader(report.machine, report.environment)
        if !BLASBackend.isAvailable {
            report.notes.append("this build has no OpenBLAS (trait OpenBLAS off): BLAS rows are missing")
        }
        let sectionsToRun = sectionList
        let progress: (String) -> Void = { message in
            FileHandle.standardError.write(Data("  … \(message)\n".utf8))
        }

        if sectionsToRun.contains("gemm") {
            let bench = GEMMBenchmark(plan: plan, scale: scale, threadCounts: threadList, includeNaive: !noNaive)
            report.gemm = bench.run(widths: Self.widths, progress: progress)
            print(gemmTable(report.gemm).render(), terminator: "")
        }
        if sectionsToRun.contains("step") {
            let bench = TrainingStepBenchmark(
                plan: plan, scale: scale, threadCounts: threadList, includeNaive: !noNaive, widths: Self.widths,
                batches: batchList ?? (scale == .full ? [32, 128, 256] : scale == .quick ? [128] : [32]))
            for implementation in stepImplementations() {
                report.trainingStep += try bench.run(implementation, progress: progress)
            }
            print(stepTable(report.trainingStep).render(), terminator: "")
        }
        if sectionsToRun.contains("inference") {
            let bench = InferenceBenchmark(plan: plan, threadCounts: threadList, includeNaive: !noNaive, scale: scale)
            for implementation in inferenceImplementations() {
                report.inference += try bench.run(implementation, progress: progress)
            }
            print(inferenceTable(report.inference).render(), terminator: "")
        }
        if sectionsToRun.contains("epoch") {
            let full = loadEpochData()
            let data = scale == .full ? full : full.prefix(scale == .quick ? full.count / 10 : 1280)
            if data.source == "synthetic" {
                report.notes.append("epoch: Fashion-MNIST not readable in \(dataDir): synthetic data of the same shape")
            }
            if quick { report.notes.append("epoch: --quick trains on the first \(data.count) samples only") }
            let bench = EpochBenchmark(scale: scale, threadCounts: threadList, includeNaive: !noNaive)
            for implementation in epochImplementations() {
                report.epoch += try bench.run(implementation, data: data, progress: progress)
            }
            if report.epoch.contains(where: \.extrapolated) {
                report.notes.append("epoch: naive rows are extrapolated from their first steps (see measuredSteps)")
            }
            print(epochTable(report.epoch).render(), terminator: "")
        }
        if sectionsToRun.contains("mpi") {
            let row = try dataParallel(world, progress: progress)
            report.dataParallel.append(row)
            print(dataParallelTable(report.dataParallel).render(), terminator: "")
        }
        report.machine.loadAverageAtEnd = MachineDescription.loadAverage()
        if let start = report.machine.loadAverageAtStart, let end = report.machine.loadAverageAtEnd {
            print("load average: \(fixed(start, 2)) at the start, \(fixed(end, 2)) at the end (\(report.machine.logicalCores) cores)")
        }
        for note in report.notes { print("note: \(note)") }
        if let path = jsonPath {
            try report.write(toFile: path)
            print("wrote \(path)")
        }
        if let path = svgPath {
            try SVGChart(report: report).write(toFile: path)
            print("wrote \(path)")
        }
    }

    private func printHeader(_ m: MachineDescription, _ environment: BLASEnvironment?) {
        print("perceptron-bench\(quick ? " --quick" : ""): \(m.cpu), \(m.logicalCores) cores, network \(Self.widths.map(String.init).joined(separator: "-"))")
        if !m.openBLASEnvironment.isEmpty {
            print("environment: " + m.openBLASEnvironment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))
        }
        print(environment.map(String.init(describing:)) ?? "Perceptron's elementwise kernels: \(m.vectorKernels ?? VectorUnit.name)")
        print("figures: median (min–max) over samples after warm-up")
    }

    /// The `mpi` section, run by every rank of the world.
    private func dataParallel(_ world: Communicator, progress: (String) -> Void) throws -> DataParallelRow {
        let bench = DataParallelBenchmark(world: world, quick: quick, widths: Self.widths, cores: MachineDescription.current(quick: quick).logicalCores)
        return try bench.run(progress: progress)
    }

    private func dataParallelTable(_ rows: [DataParallelRow]) -> Table {
        var table = Table(
            title: "Data-parallel training (Float, 784-256-128-10, Adam, global batch 128, 1 BLAS thread per rank): "
                + "ms per global batch from whole epochs; allreduce = one MPI_Allreduce of the step's buffer alone; "
                + "alone = rank 0 training by itself in the same job; efficiency = alone / (ranks × together)",
            headers: ["ranks", "backend", "samples", "ms/global batch", "allreduce ms", "epoch s", "alone ms", "speedup", "efficiency"])
        for r in rows {
            table.add([
                "\(r.ranks)" + (r.oversubscribed ? " (oversubscribed)" : ""), r.backend, "\(r.samples)",
                medianRange(r.msPerGlobalBatch.median, r.msPerGlobalBatch.min, r.msPerGlobalBatch.max),
                medianRange(r.allreduceMs.median, r.allreduceMs.min, r.allreduceMs.max),
                medianRange(r.epochSeconds.median, r.epochSeconds.min, r.epochSeconds.max),
                significant(r.aloneMsPerGlobalBatch.median), fixed(r.speedup, 2), fixed(r.efficiency, 2),
            ])
        }
        return table
    }

    /// The training steps to measure: the library's network when it is available, and the
    /// hand-written reference step.
    private func stepImplementations() -> [StepImplementation] {
        let all: [StepImplementation] = [
            .network(widths: Self.widths), .handwritten(widths: Self.widths), .normalized(widths: Self.widths),
        ]
        return all.filter { implementationList.contains($0.name) }
    }

    /// The training loops to time over an epoch.
    private func epochImplementations() -> [EpochImplementation] {
        let all: [EpochImplementation] = [.network(widths: Self.widths), .handwritten(widths: Self.widths)]
        return all.filter { implementationList.contains($0.name) }
    }

    /// Fashion-MNIST's 60,000 training images when readable, else synthetic data of that shape.
    private func loadEpochData() -> EpochData {
        guard let set = try? MNISTDataset<Float>(directory: dataDir) else { return EpochData.synthetic(count: 60000) }
        let train = set.train
        return EpochData(
            images: train.images.elements, labels: train.labels, features: train.images.columns,
            classes: set.classCount, source: "fashion-mnist")
    }

    private func epochTable(_ rows: [EpochRow]) -> Table {
        var table = Table(
            title: "Epoch (batch 128, shuffled, Adam): wall seconds (median (min–max) of 3 consecutive epochs in a full run)",
            headers: ["implementation", "backend", "threads", "samples", "data", "seconds", "steps timed", "allocs/epoch"])
        for r in rows {
            table.add([
                r.implementation, r.backend, "\(r.threads)", "\(r.samples)", r.data,
                r.epochsTimed > 1 ? medianRange(r.seconds, r.minSeconds, r.maxSeconds) : significant(r.seconds),
                r.extrapolated ? "\(r.measuredSteps) of \(r.totalSteps), extrapolated" : "\(r.measuredSteps)",
                r.allocationsPerEpoch.map(significant) ?? "–",
            ])
        }
        return table
    }

    /// The inference calls to measure.
    private func inferenceImplementations() -> [InferenceImplementation] {
        let all: [InferenceImplementation] = [
            .networkWorkspace(widths: Self.widths), .networkPredict(widths: Self.widths), .handwritten(widths: Self.widths),
        ]
        return all.filter { implementationList.contains($0.name) }
    }

    private func inferenceTable(_ rows: [InferenceRow]) -> Table {
        var table = Table(
            title: "Inference (Float, 784-256-128-10): µs per call",
            headers: ["implementation", "mode", "backend", "threads", "batch", "µs/call", "allocs/call"])
        for r in rows {
            table.add([
                r.implementation, r.mode, r.backend, "\(r.threads)", "\(r.batch)", medianRange(r.medianUs, r.minUs, r.maxUs),
                significant(r.allocationsPerCall),
            ])
        }
        return table
    }

    private func stepTable(_ rows: [TrainingStepRow]) -> Table {
        var table = Table(
            title: "Training step (Float, 784-256-128-10, ReLU, softmax cross-entropy, Adam): ms per step; "
                + "ratio = median of step/floor over paired samples; min ratio = fastest step / fastest floor; "
                + "floor = the step's GEMMs, one OpenBLAS call each with OpenBLAS's own threads; "
                + "split floor = the same GEMMs divided among threads as the step makes them",
            headers: ["implementation", "backend", "threads", "batch", "ms/step", "samples/s", "GEMM floor ms",
                      "ratio", "min ratio", "split floor ms", "ratio", "allocs/step", "bytes/step", "allocs/step all threads", "floor allocs", "gemms", "fwd+bwd / optimizer ms"])
        for r in rows {
            table.add([
                r.implementation, r.backend, "\(r.threads)", "\(r.batch)", medianRange(r.medianMs, r.minMs, r.maxMs),
                fixed(r.samplesPerSecond, 0), medianRange(r.gemmFloorMs, r.gemmFloorMinMs, r.gemmFloorMaxMs),
                fixed(r.ratioToGemmFloor, 2), fixed(r.ratioOfMinimums, 2),
                r.splitGemmFloorMs.map { significant($0) } ?? "–", r.ratioToSplitGemmFloor.map { fixed($0, 2) } ?? "–",
                significant(r.allocationsPerStep), significant(r.allocatedBytesPerStep),
                significant(r.allocationsPerStepAllThreads), significant(r.gemmFloorAllocationsPerStep),
                r.gemmCallsPerStep.map { "\($0)" + (r.gemmCallsMatchFloor == true ? " =floor" : " ≠floor") } ?? "–",
                r.partsMs.map { "\(significant($0["forward+backward"] ?? .nan)) / \(significant($0["optimizer"] ?? .nan))" } ?? "–",
            ])
        }
        return table
    }

    /// One line per product: BLAS at each thread count, naive, and the best BLAS speedup.
    private func gemmTable(_ rows: [GEMMRow]) -> Table {
        let threadCounts = threadList
        var table = Table(
            title: "GEMM: GFLOP/s, C[m,n] = op(A)·op(B), flags = transA transB (N/T)",
            headers: ["dtype", "role", "m×n×k", "flags"] + threadCounts.map { "blas \($0)t" } + ["naive", "speedup"])
        var seen: [String] = []
        for r in rows {
            let key = "\(r.dtype) \(r.role) \(r.m) \(r.n) \(r.k) \(r.transA) \(r.transB) \(r.batch ?? 0)"
            if seen.contains(key) { continue }
            seen.append(key)
            let group = rows.filter {
                $0.dtype == r.dtype && $0.role == r.role && $0.m == r.m && $0.n == r.n && $0.k == r.k
                    && $0.transA == r.transA && $0.transB == r.transB && $0.batch == r.batch
            }
            var cells = [r.dtype, r.role + (r.batch.map { " b\($0)" } ?? ""), "\(r.m)×\(r.n)×\(r.k)",
                         (r.transA ? "T" : "N") + (r.transB ? "T" : "N")]
            for t in threadCounts {
                if let g = group.first(where: { $0.backend == "blas" && $0.threads == t }) {
                    cells.append(medianRange(g.gflops, g.gflopsMin, g.gflopsMax))
                } else { cells.append("–") }
            }
            if let n = group.first(where: { $0.backend == "naive" }) {
                cells.append(medianRange(n.gflops, n.gflopsMin, n.gflopsMax))
            } else { cells.append("–") }
            let best = group.compactMap(\.speedupOverNaive).max()
            cells.append(best.map { significant($0) + "×" } ?? "–")
            table.add(cells)
        }
        return table
    }
}
