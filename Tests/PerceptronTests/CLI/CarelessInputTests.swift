import Glibc
import Testing

@testable import Perceptron

private typealias Support = ReliabilitySupport

/// 500 samples of 20 features, 3 classes, seeded; the samples as float32 and as raw uint8 pixels.
private func writeDataset(in folder: String, labels transform: (inout [Int]) -> Void = { _ in }) throws {
    var g = SeededGenerator(seed: 61)
    let pixels: [Int] = (0..<500 * 20).map { _ in Int(g.next() % 256) }
    var classes = (0..<500).map { i in pixels[20 * i] > 128 ? (pixels[20 * i + 1] > 128 ? 2 : 1) : 0 }
    transform(&classes)
    try NPY.write(try Tensor(pixels.map { Float($0) / 255 }, shape: [500, 20]), to: "\(folder)/x.npy")
    try NPY.write(try Tensor(integers: pixels, shape: [500, 20], dtype: .uint8), to: "\(folder)/pixels.npy")
    try NPY.write(try Tensor(integers: classes, shape: [500], dtype: .int64), to: "\(folder)/t.npy")
}

private let training = ["train", "--input", "x.npy", "--targets", "t.npy", "--backend", "naive", "--epochs", "1"]

/// Checks the outcome is a refusal: exit 1 (or 64 for a flag), no signal, one error line
/// containing every word of `words`, and no model written.
private func expectRefusal(
    _ outcome: Support.Outcome, in folder: String, naming words: [String],
    sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(outcome.signal == nil, sourceLocation: sourceLocation)
    #expect(outcome.status != 0, sourceLocation: sourceLocation)
    #expect(outcome.errorLines.filter { $0.hasPrefix("Error") }.count == 1, "\(outcome.standardError)", sourceLocation: sourceLocation)
    let line = outcome.errorLines.first { $0.hasPrefix("Error") }.map(String.init) ?? ""
    for word in words {
        #expect(line.contains(word), "\(line) does not name \(word)", sourceLocation: sourceLocation)
    }
    #expect(!outcome.standardOutput.contains("epoch 1"), "training ran: \(outcome.standardOutput)", sourceLocation: sourceLocation)
    #expect(!Support.exists("\(folder)/model.safetensors"), sourceLocation: sourceLocation)
}

/// Sizes far beyond the machine (two hidden layers of 10⁵, a class label of 2⁴⁰ with
/// `--classes`, a `--max-memory` below the need) are refused in one line naming the size and the
/// flag, within seconds and without a signal; an oversized `--batch-size` costs nothing.
@Test(.enabled(if: Support.commandPath != nil))
func oversizedRunsAreRefusedFastInOneLineNamingTheFlag() throws {
    let folder = FormatTestSupport.temporaryFolder()
    try writeDataset(in: folder) { $0[7] = 1 << 40 }
    Support.write(Array((try Support.bytes("\(folder)/t.npy"))), to: "\(folder)/huge.npy")
    try writeDataset(in: folder)
    let clock = ContinuousClock()
    let started = clock.now
    expectRefusal(try Support.perceptron(training + ["--hidden", "100000,100000"], in: folder), in: folder, naming: ["GB", "--hidden"])
    expectRefusal(
        try Support.perceptron(training + ["--hidden", "1000,1000", "--max-memory", "10M"], in: folder), in: folder,
        naming: ["--max-memory 10M", "--hidden"])
    expectRefusal(
        try Support.perceptron(
            ["train", "--input", "x.npy", "--targets", "huge.npy", "--classes", "1099511627777", "--hidden", "4"],
            in: folder), in: folder, naming: ["PB"])
    #expect(clock.now - started < .seconds(30))
    let batch = try Support.perceptron(training + ["--hidden", "8", "--batch-size", "100000000"], in: folder)
    #expect(batch.status == 0, "\(batch.standardError)")
}

/// The class count is said, and a stray label that would leave classes without a sample is
/// refused naming the label, its row and `--classes`, which accepts it.
@Test(.enabled(if: Support.commandPath != nil))
func aStrayLabelIsRefusedUnlessClassesSaysHowManyThereAre() throws {
    let folder = FormatTestSupport.temporaryFolder()
    try writeDataset(in: folder) { $0[7] = 10 }
    expectRefusal(try Support.perceptron(training + ["--hidden", "4"], in: folder), in: folder, naming: ["t.npy", "label 10", "row 7", "--classes"])
    let accepted = try Support.perceptron(training + ["--hidden", "4", "--classes", "11"], in: folder)
    #expect(accepted.status == 0, "\(accepted.standardError)")
    #expect(accepted.standardError.contains("11 classes (--classes)"))
    try writeDataset(in: folder)
    let said = try Support.perceptron(training + ["--hidden", "4", "--output", "b.safetensors"], in: folder)
    #expect(said.standardError.contains("3 classes (labels 0–2 in t.npy)"), "\(said.standardError)")
}

/// Every output path is checked before training: a metrics or plot file in a missing folder, an
/// output that is a folder, an empty output name: refused before the first epoch, no model.
@Test(.enabled(if: Support.commandPath != nil))
func badOutputPathsAreRefusedBeforeTrainingStarts() throws {
    let folder = FormatTestSupport.temporaryFolder()
    try writeDataset(in: folder)
    #expect(mkdir("\(folder)/dir", 0o755) == 0)
    let flags = training + ["--hidden", "4"]
    expectRefusal(try Support.perceptron(flags + ["--metrics", "missing/m.csv"], in: folder), in: folder, naming: ["missing/m.csv"])
    expectRefusal(try Support.perceptron(flags + ["--plot", "missing/p.svg"], in: folder), in: folder, naming: ["missing/p.svg"])
    expectRefusal(try Support.perceptron(flags + ["--plot", "dir"], in: folder), in: folder, naming: ["dir", "folder"])
    expectRefusal(try Support.perceptron(flags + ["--output", ""], in: folder), in: folder, naming: ["--output", "empty"])
    expectRefusal(try Support.perceptron(flags + ["--metrics", "a.csv", "--plot", "a.csv"], in: folder), in: folder, naming: ["--metrics and --plot"])
}

/// A negative value after an option gets the option's own range message, the same as with `=`.
@Test(.enabled(if: Support.commandPath != nil), arguments: ["--learning-rate", "--epochs", "--seed", "--batch-size", "--momentum"])
func aNegativeValueGetsTheSameRangeMessageWithOrWithoutEquals(flag: String) throws {
    let folder = FormatTestSupport.temporaryFolder()
    try writeDataset(in: folder)
    let flags = training + ["--optimizer", "sgd"]
    let spaced = try Support.perceptron(flags + [flag, "-1"], in: folder)
    let joined = try Support.perceptron(flags + ["\(flag)=-1"], in: folder)
    expectRefusal(spaced, in: folder, naming: [flag, "-1"])
    #expect(spaced.errorLines.first == joined.errorLines.first)
    #expect(!spaced.standardError.contains("Missing value"))
}

/// Flags that a run would silently ignore or override are refused naming them.
@Test(.enabled(if: Support.commandPath != nil))
func flagsThatWouldBeIgnoredAreRefused() throws {
    let folder = FormatTestSupport.temporaryFolder()
    try writeDataset(in: folder)
    let first = try Support.perceptron(training + ["--hidden", "4", "--output", "m.safetensors"], in: folder)
    #expect(first.status == 0, "\(first.standardError)")
    let cases: [([String], [String])] = [
        (["--momentum", "0.9"], ["--momentum", "sgd"]),
        (["--init", "m.safetensors", "--hidden", "8", "--dtype", "float64"], ["--hidden", "--dtype", "--init"]),
        (["--init", "m.safetensors", "--activation", "tanh"], ["--activation", "--init"]),
        (["--dataset", "fashion-mnist"], ["--dataset", "--input"]),
        (["--data-dir", "."], ["--data-dir", "--input"]),
        (["--hidden", "32,,16"], ["--hidden", "32,,16"]),
        (["--gamma", "0.5"], ["--gamma", "--schedule step"]),
    ]
    for (extra, words) in cases {
        let outcome = try Support.perceptron(training + ["--output", "other.safetensors"] + extra, in: folder)
        #expect(outcome.signal == nil && outcome.status != 0, "\(extra): \(outcome.standardError)")
        let line = outcome.errorLines.first.map(String.init) ?? ""
        for word in words { #expect(line.contains(word), "\(extra): \(line)") }
        #expect(!Support.exists("\(folder)/other.safetensors"))
    }
}

/// An output that exists and is not a regular file is refused and left as it was; a symbolic
/// link is written through, to its target, and stays a link.
@Test(.enabled(if: Support.commandPath != nil))
func nonRegularOutputsAreRefusedAndSymbolicLinksWrittenThrough() throws {
    let folder = FormatTestSupport.temporaryFolder()
    try writeDataset(in: folder)
    #expect(mkfifo("\(folder)/fifo", 0o644) == 0)
    let flags = training + ["--hidden", "4"]
    for output in ["/dev/full", "fifo"] {
        let outcome = try Support.perceptron(flags + ["--output", output], in: folder)
        #expect(outcome.status == 1, "\(output): \(outcome.standardError)")
        #expect(outcome.standardError.contains(output) && outcome.standardError.contains("not a regular file"))
    }
    var st = stat()
    #expect(stat("/dev/full", &st) == 0 && st.st_mode & S_IFMT == S_IFCHR)
    #expect(mkdir("\(folder)/real", 0o755) == 0)
    #expect(symlink("real/model.safetensors", "\(folder)/link.safetensors") == 0)
    let linked = try Support.perceptron(flags + ["--output", "link.safetensors"], in: folder)
    #expect(linked.status == 0, "\(linked.standardError)")
    #expect(lstat("\(folder)/link.safetensors", &st) == 0 && st.st_mode & S_IFMT == S_IFLNK)
    #expect(throws: Never.self) { try ModelFile.read(from: "\(folder)/real/model.safetensors", as: Float.self) }
}

/// uint8 samples are pixel intensities, divided by 255 as the IDX data sets are: training on
/// them gives the same model, byte for byte, as training on the same values as float32 / 255,
/// and predicting on them gives the same outputs.
@Test(.enabled(if: Support.commandPath != nil))
func uint8SamplesAreScaledByTheOneRuleForIntegerInputs() throws {
    let folder = FormatTestSupport.temporaryFolder()
    try writeDataset(in: folder)
    let flags = ["train", "--targets", "t.npy", "--backend", "naive", "--epochs", "2", "--hidden", "5"]
    #expect(try Support.perceptron(flags + ["--input", "x.npy", "--output", "f.safetensors"], in: folder).status == 0)
    #expect(try Support.perceptron(flags + ["--input", "pixels.npy", "--output", "u.safetensors"], in: folder).status == 0)
    #expect(try Support.bytes("\(folder)/f.safetensors") == Support.bytes("\(folder)/u.safetensors"))
    for (input, output) in [("x.npy", "pf.npy"), ("pixels.npy", "pu.npy")] {
        let run = try Support.perceptron(
            ["predict", "--model", "f.safetensors", "--input", input, "--output", output, "--backend", "naive"], in: folder)
        #expect(run.status == 0, "\(run.standardError)")
    }
    #expect(try Support.bytes("\(folder)/pf.npy") == Support.bytes("\(folder)/pu.npy"))
}
