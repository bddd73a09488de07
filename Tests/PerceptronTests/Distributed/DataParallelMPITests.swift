#if MPI
import Glibc
import Testing

@testable import Perceptron

/// Data-parallel training under `mpirun` (built with the `MPI` trait): the collectives, the
/// library's `fit` against one process (in `perceptron-mpi-check`, which compares in every
/// rank), the command against one process, and the faults. Serialized: each test starts a job
/// of several processes on a small machine.
@Suite(.serialized) struct DataParallelMPITests {
    static let mpirun = "/usr/bin/mpirun"

    /// `mpirun` with `arguments` (after its own options) in `folder`, stopped (TERM, then KILL)
    /// after ``ReliabilitySupport/timeLimit`` seconds so that a hang fails the test.
    static func mpirun(_ arguments: [String], in folder: String = "/tmp") throws -> ReliabilitySupport.Outcome {
        try #require(access(mpirun, X_OK) == 0, "mpirun is not installed (apt-get install openmpi-bin)")
        let logs = FormatTestSupport.temporaryFolder()
        let pid = ReliabilitySupport.spawn(
            "/usr/bin/timeout", ["-k", "10", "\(ReliabilitySupport.timeLimit)", mpirun] + jobOptions + arguments,
            in: folder, logs: logs)
        let outcome = ReliabilitySupport.wait(pid, logs: logs)
        #expect(outcome.status != 124, "mpirun \(arguments.joined(separator: " ")) ran over \(ReliabilitySupport.timeLimit) s")
        return outcome
    }

    /// Root is allowed (CI runs as root); more ranks than cores are allowed (2-core machines).
    static let jobOptions = ["--allow-run-as-root", "--oversubscribe"]

    static func executable(_ name: String) throws -> String {
        let perceptron = try #require(ReliabilitySupport.commandPath, "the perceptron executable is not built beside the tests")
        return FileSystem.split(perceptron).folder + "/" + name
    }

    @Test(arguments: [2, 3])
    func collectivesMatchTheirDefinitions(ranks: Int) throws {
        let run = try Self.mpirun(["-np", "\(ranks)", try Self.executable("perceptron-mpi-check"), "communicator"])
        #expect(run.status == 0, "\(run.standardOutput)\(run.standardError)")
        #expect(!run.standardOutput.contains("FAIL"), "\(run.standardOutput)")
        #expect(run.standardOutput.contains("ok size \(ranks) is the launcher's \(ranks)"))
    }

    /// Double within 1e-12 and Float within 1e-5 relative after 3 epochs, shuffled and in order,
    /// 37 and 41 rows (multiples of neither the batch nor the rank count), class weights (the
    /// mean divides by the weights), gradient clipping (after the allreduce), each rank starting
    /// from different parameters (rank 0's must be broadcast); the check runs in every rank.
    @Test(arguments: [2, 3])
    func dataParallelFitEqualsOneProcessFit(ranks: Int) throws {
        let run = try Self.mpirun(["-np", "\(ranks)", try Self.executable("perceptron-mpi-check"), "equivalence"])
        #expect(run.status == 0, "\(run.standardOutput)\(run.standardError)")
        #expect(!run.standardOutput.contains("FAIL"), "\(run.standardOutput)")
        // 5 setups × 2 precisions × 3 checks, reported by rank 0.
        #expect(run.standardOutput.split(separator: "\n").filter { $0.hasPrefix("ok ") }.count == 30)
    }

    @Test(arguments: [2, 3])
    func aNonFiniteValueOnOneRankStopsEveryRankWithOneProcesssError(ranks: Int) throws {
        let run = try Self.mpirun(["-np", "\(ranks)", try Self.executable("perceptron-mpi-check"), "non-finite"])
        #expect(run.status == 0, "\(run.standardOutput)\(run.standardError)")
        #expect(!run.standardOutput.contains("FAIL"), "\(run.standardOutput)")
        #expect(run.standardOutput.contains("ok a NaN in one rank's rows"), "\(run.standardOutput)")
    }

    @Test(arguments: [2, 3])
    func aStopAskedOnOneRankStopsEveryRankBeforeTheSameUpdate(ranks: Int) throws {
        let run = try Self.mpirun(["-np", "\(ranks)", try Self.executable("perceptron-mpi-check"), "stop"])
        #expect(run.status == 0, "\(run.standardOutput)\(run.standardError)")
        #expect(!run.standardOutput.contains("FAIL"), "\(run.standardOutput)")
        #expect(run.standardOutput.contains("ok a stop asked by rank \(ranks - 1) alone"), "\(run.standardOutput)")
    }

    /// Batch normalisation normalises over each rank's share and dropout draws per rank, so
    /// only agreement between the ranks is checked (running statistics averaged every epoch).
    @Test(arguments: [2, 3])
    func batchNormalizationRanksEndWithTheSameModel(ranks: Int) throws {
        let run = try Self.mpirun(["-np", "\(ranks)", try Self.executable("perceptron-mpi-check"), "batch-norm"])
        #expect(run.status == 0, "\(run.standardOutput)\(run.standardError)")
        #expect(!run.standardOutput.contains("FAIL"), "\(run.standardOutput)")
        #expect(run.standardOutput.split(separator: "\n").filter { $0.hasPrefix("ok ") }.count == 2)
    }

    /// 203 samples of 6 features, 3 classes, float64.
    static func writeData(in folder: String, rows: Int = 203, columns: Int = 6) throws {
        var g = SeededGenerator(seed: 21)
        let x: Matrix<Double> = g.gaussianMatrix(rows: rows, columns: columns)
        let labels = (0..<rows).map { (x[$0, 0] * x[$0, 1] > 0 ? 1 : 0) + (x[$0, 2] > 0.5 ? 1 : 0) }
        try NPY.write(Tensor(x), to: "\(folder)/x.npy")
        try NPY.write(Tensor(integers: labels, shape: [rows], dtype: .int64), to: "\(folder)/t.npy")
    }

    static let trainFlags = [
        "train", "--input", "x.npy", "--targets", "t.npy", "--hidden", "8,5", "--dtype", "float64",
        "--epochs", "3", "--batch-size", "16", "--seed", "4", "--validation-fraction", "0.1", "--threads", "1",
    ]

    static func parameters(_ path: String) throws -> [Double] {
        guard case .float64(let saved) = try ModelFile.read(from: path) else {
            Issue.record("\(path) is not float64")
            return []
        }
        return saved.network.parameters
    }

    @Test func mpirunTrainWritesTheOneProcessModel() throws {
        let folder = FormatTestSupport.temporaryFolder()
        try Self.writeData(in: folder)
        let perceptron = try Self.executable("perceptron")
        let alone = try ReliabilitySupport.perceptron(
            Self.trainFlags + ["--output", "one.safetensors", "--metrics", "one.csv"], in: folder)
        #expect(alone.status == 0, "\(alone.standardError)")
        let parallel = try Self.mpirun(
            ["-np", "2", perceptron] + Self.trainFlags + ["--output", "two.safetensors", "--metrics", "two.csv"],
            in: folder)
        #expect(parallel.status == 0, "\(parallel.standardError)")
        let one = try Self.parameters("\(folder)/one.safetensors")
        let two = try Self.parameters("\(folder)/two.safetensors")
        let scale = one.map(abs).max() ?? 0
        let difference = zip(one, two).map { abs($0 - $1) }.max() ?? .infinity
        // Only the order of the gradient sums differs.
        #expect(one.count == two.count && difference <= 1e-12 * scale, "relative difference \(difference / scale)")
        // Rank 0 alone reports: one line per epoch, as alone.
        #expect(parallel.standardOutput.split(separator: "\n").filter { $0.hasPrefix("epoch ") }.count == 3)
        let csv = { (name: String) in
            String(decoding: try FileSystem.read("\(folder)/\(name)"), as: UTF8.self).split(separator: "\n")
                .map { $0.split(separator: ",").prefix(5) }
        }
        #expect(try csv("one.csv").count == 4)
        #expect(try csv("one.csv").map { $0.count } == (try csv("two.csv")).map { $0.count })
    }

    @Test func infoReportsTheWorldSize() throws {
        let run = try Self.mpirun(["-np", "2", try Self.executable("perceptron"), "info"])
        #expect(run.status == 0, "\(run.standardError)")
        // Rank 0 alone prints.
        #expect(run.standardOutput.split(separator: "\n").filter { $0 == "MPI: a world of 2 processes" }.count == 1)
    }

    @Test func aRankThatCannotReadItsDataStopsEveryRankWithAMessage() throws {
        let folder = FormatTestSupport.temporaryFolder()
        try Self.writeData(in: folder)
        let perceptron = try Self.executable("perceptron")
        var missing = Self.trainFlags
        missing[2] = "missing.npy"
        // Two programs in one job (MPMD): rank 1 is given a file that does not exist. Each
        // rank's output goes to its own file (mpirun would interleave their stderr).
        let outputs = FormatTestSupport.temporaryFolder()
        let run = try Self.mpirun(
            ["--output-filename", outputs, "-np", "1", perceptron] + Self.trainFlags + ["--output", "m.safetensors", ":",
             "-np", "1", perceptron] + missing + ["--output", "m.safetensors"], in: folder)
        #expect(run.status != 0)
        let stderr = { (rank: Int) in
            String(decoding: (try? FileSystem.read("\(outputs)/1/rank.\(rank)/stderr")) ?? [], as: UTF8.self)
        }
        #expect(
            stderr(1) == "Error: rank 1 of 2: missing.npy: missing file: expected an existing file, found no such file\n",
            "\(stderr(1))")
        #expect(
            stderr(0) == "Error: rank 0: stopping: 1 of 2 ranks could not start training (their messages say why)\n",
            "\(stderr(0))")
        #expect(!ReliabilitySupport.exists("\(folder)/m.safetensors"))
    }

    /// The process ids of the job's rank `rank`: processes whose environment holds `marker`
    /// (passed to every rank by `mpirun -x`) and `OMPI_COMM_WORLD_RANK=rank`.
    static func processes(marker: String, rank: Int) -> [pid_t] {
        FormatTestSupport.listing("/proc").compactMap { pid_t($0) }.filter { pid in
            let bytes = procFile("/proc/\(pid)/environ")
            let variables = bytes.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            return variables.contains(marker) && variables.contains("OMPI_COMM_WORLD_RANK=\(rank)")
        }
    }

    /// The bytes of a `/proc` file (whose size `stat` reports as 0), read until the end.
    static func procFile(_ path: String) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return [] }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            guard n > 0 else { return bytes }
            bytes += chunk[0..<n]
        }
    }

    /// SIGTERM to rank 1 alone: its stop request travels in the next allreduce, every rank stops
    /// before the same update, rank 0 says so and keeps its last checkpoint.
    @Test func aSignalToOneRankStopsEveryRankAtTheSameStep() throws {
        let folder = FormatTestSupport.temporaryFolder()
        try Self.writeData(in: folder, rows: 1000, columns: 16)
        let perceptron = try Self.executable("perceptron")
        let marker = "PERCEPTRON_TEST_JOB=\(folder)"
        let logs = FormatTestSupport.temporaryFolder()
        let outputs = FormatTestSupport.temporaryFolder()
        var flags = Self.trainFlags
        flags[flags.firstIndex(of: "--epochs")! + 1] = "100"
        flags[flags.firstIndex(of: "--hidden")! + 1] = "32,32"
        let job = ReliabilitySupport.spawn(
            "/usr/bin/timeout",
            ["-k", "10", "\(ReliabilitySupport.timeLimit)", Self.mpirun] + Self.jobOptions
                + ["--output-filename", outputs, "-x", marker, "-np", "2", perceptron] + flags
                + ["--output", "m.safetensors"],
            in: folder, logs: logs)
        var waited = 0
        while !ReliabilitySupport.exists("\(folder)/m.safetensors") && waited < 600 {
            usleep(100_000)
            waited += 1
        }
        let ranks = Self.processes(marker: marker, rank: 1)
        #expect(ranks.count == 1)
        for pid in ranks { kill(pid, SIGTERM) }
        let outcome = ReliabilitySupport.wait(job, logs: logs)
        #expect(outcome.status != 0 && outcome.status != 124, "\(outcome.standardError)")
        let stderr = String(decoding: (try? FileSystem.read("\(outputs)/1/rank.0/stderr")) ?? [], as: UTF8.self)
        #expect(stderr.contains("interrupted on another rank during epoch "), "\(stderr)")
        #expect(stderr.contains("resume with --init m.safetensors"), "\(stderr)")
        #expect(try Self.parameters("\(folder)/m.safetensors").count == 16 * 32 + 32 + 32 * 32 + 32 + 32 * 3 + 3)
    }

    @Test func aKilledRankEndsTheJobAndTheLastCheckpointResumes() throws {
        let folder = FormatTestSupport.temporaryFolder()
        try Self.writeData(in: folder, rows: 1000, columns: 16)
        let perceptron = try Self.executable("perceptron")
        let marker = "PERCEPTRON_TEST_JOB=\(folder)"
        let logs = FormatTestSupport.temporaryFolder()
        var flags = Self.trainFlags
        flags[flags.firstIndex(of: "--epochs")! + 1] = "100"
        flags[flags.firstIndex(of: "--hidden")! + 1] = "32,32"
        let job = ReliabilitySupport.spawn(
            "/usr/bin/timeout",
            ["-k", "10", "\(ReliabilitySupport.timeLimit)", Self.mpirun] + Self.jobOptions
                + ["-x", marker, "-np", "2", perceptron] + flags + ["--output", "m.safetensors"],
            in: folder, logs: logs)
        // Wait for rank 0's first checkpoint, then kill rank 1 during a later epoch.
        var waited = 0
        while !ReliabilitySupport.exists("\(folder)/m.safetensors") && waited < 600 {
            usleep(100_000)
            waited += 1
        }
        usleep(300_000)
        let victims = Self.processes(marker: marker, rank: 1)
        #expect(victims.count == 1)
        for pid in victims { kill(pid, SIGKILL) }
        let outcome = ReliabilitySupport.wait(job, logs: logs)
        #expect(outcome.status != 0 && outcome.status != 124, "\(outcome.standardError)")
        #expect(!outcome.standardOutput.contains("saved m.safetensors"))
        // The checkpoint is whole (written atomically) and training resumes from it.
        let kept = try Self.parameters("\(folder)/m.safetensors")
        #expect(kept.count == 16 * 32 + 32 + 32 * 32 + 32 + 32 * 3 + 3)
        let resumed = try ReliabilitySupport.perceptron(
            ["train", "--init", "m.safetensors", "--input", "x.npy", "--targets", "t.npy", "--epochs", "1",
             "--output", "resumed.safetensors"], in: folder)
        #expect(resumed.status == 0, "\(resumed.standardError)")
    }
}
#endif
