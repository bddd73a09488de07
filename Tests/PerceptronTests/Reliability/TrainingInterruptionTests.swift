import Glibc
import Testing

@testable import Perceptron

private typealias Support = ReliabilitySupport

/// A small classification set: 64 samples of 4 features, 3 classes, seeded.
private func writeDataset(in folder: String, hugeValueAt huge: Int? = nil) throws {
    var g = SeededGenerator(seed: 8)
    var x: [Float] = (0..<64 * 4).map { _ in g.uniform(-1, 1) }
    if let huge { for j in 0..<4 { x[4 * huge + j] = 3e38 } }
    let classes = (0..<64).map { i in x[4 * i] + x[4 * i + 1] > 0 ? (x[4 * i + 2] > 0 ? 2 : 1) : 0 }
    try NPY.write(try Tensor(x, shape: [64, 4]), to: "\(folder)/x.npy")
    try NPY.write(try Tensor(integers: classes, shape: [64], dtype: .int64), to: "\(folder)/t.npy")
}

private let training = ["train", "--input", "x.npy", "--targets", "t.npy", "--hidden", "8", "--backend", "naive"]
/// `training` for a run from `--init` (the layers come from the model file).
private let resuming = ["train", "--input", "x.npy", "--targets", "t.npy", "--backend", "naive"]

/// Reads the model at `path` as the command would: the whole file validated, finite parameters.
private func loadModel(_ path: String) -> Result<SavedModel<Float>, FormatError> {
    do throws(FormatError) { return .success(try ModelFile.read(from: path, as: Float.self, backend: NaiveBackend())) } catch {
        return .failure(error)
    }
}

/// The inode and modification time (ns) of the file at `path`, or `nil`: each atomic save puts a
/// new file in place (the inode number alone may be reused once the old file is freed).
private func identity(_ path: String) -> [Int]? {
    var st = stat()
    return stat(path, &st) == 0 ? [Int(st.st_ino), st.st_mtim.tv_sec, st.st_mtim.tv_nsec] : nil
}

/// SIGKILL at random moments (seeded) while `perceptron train` rewrites its checkpoint at the end
/// of every epoch: afterwards the destination is absent (killed before the first save), the
/// previous complete model, or a new complete model; never a partial or corrupt file.
///
/// Most rounds wait until the run has replaced the file at least once (a new file), then kill
/// within the next 20 ms, where saves follow each other every few milliseconds; every fifth
/// round kills early, during start-up. So the kills land among saves however slow the build
/// (debug, or AddressSanitizer) starts.
///
/// The wait is for the event (a new file in place), with a deadline as generous as the one for
/// any command run (``ReliabilitySupport/timeLimit``), not a fixed count of polls: on a loaded
/// machine start-up can take seconds, and a round that gave up early would kill before any save
/// and prove nothing. So every waiting round is a kill after a save, and the count below is exact.
@Test(.enabled(if: Support.commandPath != nil))
func killingTrainingWhileItSavesNeverLeavesAPartialModel() throws {
    let command = try #require(Support.commandPath)
    let folder = FormatTestSupport.temporaryFolder()
    let logs = FormatTestSupport.temporaryFolder()
    try writeDataset(in: folder)
    let output = "\(folder)/model.safetensors"
    let arguments = training + ["--epochs", "1000000", "--batch-size", "16", "--optimizer", "sgd", "--output", "model.safetensors"]
    var g = SeededGenerator(seed: 88)
    var previous: [UInt8]?
    var (absent, old, new) = (0, 0, 0)
    for round in 0..<30 {
        let before = identity(output)
        let pid = Support.spawn(command, arguments, in: folder, logs: logs)
        if round % 5 == 0 {
            usleep(UInt32(g.uniform(0.0, 50_000.0) as Double))
        } else {
            let deadline = ContinuousClock.now + .seconds(Support.timeLimit)
            while identity(output) == before && ContinuousClock.now < deadline {
                usleep(1_000)
            }
            #expect(identity(output) != before, "round \(round): no save within \(Support.timeLimit) s")
            usleep(UInt32(g.uniform(0.0, 20_000.0) as Double))
        }
        kill(pid, SIGKILL)
        let outcome = Support.wait(pid, logs: logs)
        #expect(outcome.signal == SIGKILL, "round \(round): the run ended by itself: \(outcome.standardError)")
        guard Support.exists(output) else {
            #expect(previous == nil, "round \(round): the model disappeared")
            absent += 1
            continue
        }
        let bytes = try Support.bytes(output)
        if identity(output) == before {
            // No save completed in this run: the old file, untouched.
            #expect(bytes == previous, "round \(round): the old model changed in place")
            old += 1
        } else {
            // Runs are seeded alike, so a new model may equal the old one byte for byte: what
            // matters is that the file the last rename put in place is complete.
            new += 1
            if case .failure(let error) = loadModel(output) {
                Issue.record("round \(round): partial or corrupt model after SIGKILL: \(error)")
            }
        }
        previous = bytes
    }
    // The kills must have landed among saves for the test to prove anything: every round that
    // waited for a save (24 of 30) ends with a new model; the early kills may too.
    #expect(new >= 24, "absent \(absent), old \(old), new \(new)")
}

/// A learning rate of 1e6 makes training diverge: the command exits non-zero with a last line
/// naming epoch, step and layer, and the model at `--output` is still a complete, finite model
/// (the one the run started from, or a checkpoint written before the divergence).
@Test(.enabled(if: Support.commandPath != nil))
func divergingTrainingStopsNamingEpochStepAndLayerAndKeepsTheLastGoodModel() throws {
    let folder = FormatTestSupport.temporaryFolder()
    try writeDataset(in: folder)
    let first = try Support.perceptron(training + ["--epochs", "2", "--output", "model.safetensors"], in: folder)
    #expect(first.status == 0, "\(first.standardError)")
    let good = try Support.bytes("\(folder)/model.safetensors")

    let diverging = try Support.perceptron(
        resuming + [
            "--init", "model.safetensors", "--optimizer", "sgd", "--learning-rate", "1e6", "--epochs", "50",
            "--output", "model.safetensors",
        ], in: folder)
    #expect(diverging.signal == nil)
    #expect(diverging.status != 0)
    let last = diverging.errorLines.last.map(String.init) ?? ""
    for word in ["epoch", "step", "layer"] {
        #expect(last.contains(word), "the error does not name the \(word): \(last)")
    }
    #expect(diverging.errorLines.filter { $0.hasPrefix("Error") }.count == 1, "\(diverging.standardError)")
    let kept = loadModel("\(folder)/model.safetensors")
    #expect((try? kept.get()) != nil, "the checkpoint is not a complete finite model: \(kept)")
    #expect(try Support.bytes("\(folder)/model.safetensors").count == good.count)
    #expect(FormatTestSupport.listing(folder) == ["model.safetensors", "t.npy", "x.npy"])
}

/// A sample whose features are near the float32 maximum (the first one) makes plain SGD
/// overflow within the first epoch: the command stops at epoch 1 naming the step and layer, and
/// writes no model.
@Test(.enabled(if: Support.commandPath != nil))
func nonFiniteActivationsFromHugeDataStopTrainingBeforeAnyModelIsWritten() throws {
    let folder = FormatTestSupport.temporaryFolder()
    try writeDataset(in: folder, hugeValueAt: 0)
    let outcome = try Support.perceptron(
        training + [
            "--epochs", "3", "--no-shuffle", "--batch-size", "16", "--optimizer", "sgd", "--learning-rate", "1",
            "--output", "model.safetensors",
        ], in: folder)
    #expect(outcome.signal == nil)
    #expect(outcome.status != 0)
    let last = outcome.errorLines.last.map(String.init) ?? ""
    for word in ["epoch 1", "step", "layer"] {
        #expect(last.contains(word), "the error does not name \(word): \(last)")
    }
    #expect(FormatTestSupport.listing(folder) == ["t.npy", "x.npy"], "\(last)")
}
