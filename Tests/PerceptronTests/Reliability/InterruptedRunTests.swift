import Glibc
import Testing

@testable import Perceptron

private typealias Support = ReliabilitySupport

/// 200 samples of 6 features, 3 classes, seeded, as float32 and int64 `.npy`.
private func writeDataset(in folder: String) throws {
    var g = SeededGenerator(seed: 16)
    let x: [Float] = (0..<200 * 6).map { _ in g.uniform(-1, 1) }
    let classes = (0..<200).map { i in x[6 * i] > 0 ? (x[6 * i + 1] > 0 ? 2 : 1) : 0 }
    try NPY.write(try Tensor(x, shape: [200, 6]), to: "\(folder)/x.npy")
    try NPY.write(try Tensor(integers: classes, shape: [200], dtype: .int64), to: "\(folder)/t.npy")
}

private let training = [
    "train", "--input", "x.npy", "--targets", "t.npy", "--hidden", "8", "--backend", "naive", "--batch-size", "16",
]

/// The lines of the text file at `path` (none when it does not exist yet).
private func lines(_ path: String) -> [Substring] {
    String(decoding: (try? FileSystem.read(path)) ?? [], as: UTF8.self).split(separator: "\n")
}

/// Waits until the CSV at `path` holds at least `rows` epochs (or the time limit passes).
private func waitForEpochs(_ rows: Int, in path: String) {
    let deadline = ContinuousClock.now + .seconds(Support.timeLimit)
    while lines(path).count < rows + 1 && ContinuousClock.now < deadline { usleep(2_000) }
}

/// SIGINT, SIGTERM and SIGHUP during a long run: the command stops at a safe point and exits with
/// 128 + the signal; its stdout log (redirected to a file), the metrics CSV and the plot hold
/// every finished epoch, the checkpoint is a complete model, stderr says which epoch it holds and
/// how to resume, and no temporary file is left.
@Test(.enabled(if: Support.commandPath != nil), arguments: [SIGINT, SIGTERM, SIGHUP])
func aSignalStopsTrainingKeepingLogMetricsPlotAndCheckpointOfEveryFinishedEpoch(signal: Int32) throws {
    let command = try #require(Support.commandPath)
    let folder = FormatTestSupport.temporaryFolder()
    let logs = FormatTestSupport.temporaryFolder()
    try writeDataset(in: folder)
    let pid = Support.spawn(
        command,
        training + ["--epochs", "1000000", "--output", "model.safetensors", "--metrics", "m.csv", "--plot", "p.svg"],
        in: folder, logs: logs)
    waitForEpochs(3, in: "\(folder)/m.csv")
    kill(pid, signal)
    let outcome = Support.wait(pid, logs: logs)
    #expect(outcome.signal == nil)
    #expect(outcome.status == 128 + signal, "\(outcome.standardError)")
    let epochs = lines("\(folder)/m.csv").count - 1
    #expect(epochs >= 3)
    let logged = outcome.standardOutput.split(separator: "\n").filter { $0.hasPrefix("epoch ") }
    #expect(logged.count == epochs, "stdout has \(logged.count) epoch lines, the CSV \(epochs)")
    let last = outcome.errorLines.last.map(String.init) ?? ""
    #expect(last.contains([SIGINT: "SIGINT", SIGTERM: "SIGTERM", SIGHUP: "SIGHUP"][signal] ?? "?"), "\(last)")
    #expect(last.contains("model.safetensors holds epoch \(epochs)"), "\(last)")
    #expect(last.contains("--init model.safetensors"), "\(last)")
    let svg = String(decoding: try Support.bytes("\(folder)/p.svg"), as: UTF8.self)
    #expect(svg.hasSuffix("</svg>\n"))
    #expect(throws: Never.self) { try ModelFile.read(from: "\(folder)/model.safetensors", as: Float.self) }
    #expect(FormatTestSupport.listing(folder) == ["m.csv", "model.safetensors", "p.svg", "t.npy", "x.npy"])
}

/// A second SIGINT ends the run at once, still with status 130 and no temporary file left, even
/// when it lands during a save (the handler removes the file being written). Steps here are slow
/// (two wide layers), so the second signal lands before the first stop point.
@Test(.enabled(if: Support.commandPath != nil))
func aSecondInterruptEndsTheRunAtOnceLeavingNoTemporaryFile() throws {
    let command = try #require(Support.commandPath)
    let folder = FormatTestSupport.temporaryFolder()
    let logs = FormatTestSupport.temporaryFolder()
    try writeDataset(in: folder)
    for round in 0..<5 {
        let pid = Support.spawn(
            command,
            training + ["--epochs", "1000000", "--hidden", "1000,1000", "--output", "model.safetensors"],
            in: folder, logs: logs)
        // The handler is in place once training is announced.
        let deadline = ContinuousClock.now + .seconds(Support.timeLimit)
        while !lines("\(logs)/stderr").contains(where: { $0.hasPrefix("training ") }) && ContinuousClock.now < deadline {
            usleep(2_000)
        }
        usleep(UInt32(round) * 20_000)
        kill(pid, SIGINT)
        usleep(1_000)
        kill(pid, SIGINT)
        let outcome = Support.wait(pid, logs: logs)
        #expect(outcome.signal == nil && outcome.status == 130, "round \(round): \(outcome.standardError)")
        let left = FormatTestSupport.listing(folder).filter { $0.hasPrefix(".") }
        #expect(left.isEmpty, "round \(round): \(left)")
    }
}

/// A temporary file left by a killed save (SIGKILL cannot be caught) is removed by the next save
/// to the same path; files of other names are kept.
@Test(.enabled(if: Support.commandPath != nil))
func theNextSaveRemovesTemporaryFilesAKilledSaveLeft() throws {
    let folder = FormatTestSupport.temporaryFolder()
    try writeDataset(in: folder)
    let kept = [".model.safetensors.tmp-other1x", ".notes.tmp-Ab3x9Z", "keep.txt"]
    for name in kept + [".model.safetensors.tmp-Ab3x9Z", ".m.csv.tmp-000000"] {
        Support.write([1, 2, 3], to: "\(folder)/\(name)")
    }
    let run = try Support.perceptron(
        training + ["--epochs", "1", "--output", "model.safetensors", "--metrics", "m.csv"], in: folder)
    #expect(run.status == 0, "\(run.standardError)")
    #expect(FormatTestSupport.listing(folder) == (kept + ["m.csv", "model.safetensors", "t.npy", "x.npy"]).sorted())
}
