import Testing

@testable import Perceptron

/// The `perceptron` subcommands as a user runs them, checked against the library computing the
/// same thing in-process.
@Suite struct CommandLineTests {
    /// 40 samples of 3 features and two classes (sign of x₀·x₁), written as float64 `.npy`.
    static func writeData(in folder: String) throws -> (inputs: Matrix<Double>, labels: [Int]) {
        var g = SeededGenerator(seed: 11)
        let x: Matrix<Double> = g.gaussianMatrix(rows: 40, columns: 3)
        let labels = (0..<40).map { x[$0, 0] * x[$0, 1] > 0 ? 1 : 0 }
        try NPY.write(Tensor(x), to: "\(folder)/x.npy")
        try NPY.write(Tensor(integers: labels, shape: [40], dtype: .int64), to: "\(folder)/t.npy")
        return (x, labels)
    }

    static let trainFlags = [
        "train", "--input", "x.npy", "--targets", "t.npy", "--hidden", "6,5", "--activation", "tanh",
        "--dtype", "float64", "--optimizer", "sgd", "--learning-rate", "0.1", "--momentum", "0.9",
        "--batch-size", "16", "--epochs", "4", "--no-shuffle", "--seed", "3", "--backend", "naive",
        "--initializer", "xavier",
    ]

    @Test func trainWritesTheModelMetricsAndPlotItWasAskedFor() throws {
        let folder = FormatTestSupport.temporaryFolder()
        _ = try Self.writeData(in: folder)
        let run = try ReliabilitySupport.perceptron(
            Self.trainFlags + ["--output", "m.safetensors", "--metrics", "m.csv", "--plot", "m.svg"], in: folder)
        #expect(run.status == 0, "\(run.standardError)")
        guard case .float64(let saved) = try ModelFile.read(from: "\(folder)/m.safetensors") else {
            Issue.record("the model is not float64")
            return
        }
        #expect(saved.network.layers.map(\.kind) == ["linear", "tanh", "linear", "tanh", "linear"])
        #expect(saved.loss == .crossEntropy)
        let csv = String(decoding: try FileSystem.read("\(folder)/m.csv"), as: UTF8.self)
        #expect(csv.split(separator: "\n").count == 1 + 4)
        let svg = String(decoding: try FileSystem.read("\(folder)/m.svg"), as: UTF8.self)
        #expect(svg.hasPrefix("<svg") && svg.contains("</svg>") && svg.contains("polyline"))
    }

    /// With `--no-shuffle` the command does exactly what `Network.fit` does with the same
    /// seed, initialiser and optimizer: the saved parameters are bit-for-bit the library's.
    @Test func noShuffleTrainingEqualsLibraryFitBitForBit() throws {
        let folder = FormatTestSupport.temporaryFolder()
        let data = try Self.writeData(in: folder)
        let run = try ReliabilitySupport.perceptron(Self.trainFlags + ["--output", "m.safetensors"], in: folder)
        #expect(run.status == 0, "\(run.standardError)")
        guard case .float64(let saved) = try ModelFile.read(from: "\(folder)/m.safetensors") else {
            Issue.record("the model is not float64")
            return
        }
        var generator = SeededGenerator(seed: 3)
        var network = try Network<Double>(
            sizes: [3, 6, 5, 2], activation: .tanh, initializer: .xavier, using: &generator, backend: NaiveBackend())
        var sgd = SGD<Double>(learningRate: 0.1, momentum: 0.9)
        _ = try network.fit(
            data.inputs, .classes(data.labels), loss: .crossEntropy, optimizer: &sgd,
            configuration: TrainingConfiguration(epochs: 4, batchSize: 16, shuffle: false, seed: 3))
        #expect(saved.network.parameters == network.parameters)
    }

    @Test func predictWritesSoftmaxRowsAndLogitsEqualToTheLibrary() throws {
        let folder = FormatTestSupport.temporaryFolder()
        let data = try Self.writeData(in: folder)
        #expect(try ReliabilitySupport.perceptron(Self.trainFlags + ["--output", "m.safetensors"], in: folder).status == 0)
        let probabilities = try ReliabilitySupport.perceptron(
            ["predict", "--model", "m.safetensors", "--input", "x.npy", "--output", "p.npy"], in: folder)
        let logits = try ReliabilitySupport.perceptron(
            ["predict", "--model", "m.safetensors", "--input", "x.npy", "--output", "z.npy", "--logits"], in: folder)
        #expect(probabilities.status == 0 && logits.status == 0)
        let p = try NPY.read(from: "\(folder)/p.npy").matrix(as: Double.self)
        let z = try NPY.read(from: "\(folder)/z.npy").matrix(as: Double.self)
        guard case .float64(let saved) = try ModelFile.read(from: "\(folder)/m.safetensors") else { return }
        #expect(z == (try saved.network.predict(data.inputs)))
        for i in 0..<p.rows {
            // Softmax rows sum to 1 up to rounding in 2 additions.
            #expect(abs(p[i, 0] + p[i, 1] - 1) <= 4 * Double.ulpOfOne)
            #expect((p[i, 1] > p[i, 0]) == (z[i, 1] > z[i, 0]))
        }
    }

    @Test func gradientsCommandWritesTheLibraryGradientsUnderModelNames() throws {
        let folder = FormatTestSupport.temporaryFolder()
        let data = try Self.writeData(in: folder)
        #expect(try ReliabilitySupport.perceptron(Self.trainFlags + ["--output", "m.safetensors"], in: folder).status == 0)
        let run = try ReliabilitySupport.perceptron(
            ["gradients", "--model", "m.safetensors", "--input", "x.npy", "--targets", "t.npy", "--output", "g.safetensors",
             "--backend", "naive"], in: folder)
        #expect(run.status == 0, "\(run.standardError)")
        let file = try SafetensorsFile.read(from: "\(folder)/g.safetensors")
        #expect(Set(file.tensors.keys) == ["0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias", "loss", "input"])
        guard case .float64(let saved) = try ModelFile.read(from: "\(folder)/m.safetensors") else { return }
        var network = saved.network
        network.backend = NaiveBackend()
        let loss = try network.lossAndGradients(for: data.inputs, targets: .classes(data.labels), loss: .crossEntropy)
        #expect(try file.tensors["loss"]?.scalars(as: Double.self) == [loss])
        #expect(try file.tensors["input"]?.matrix(as: Double.self) == network.inputGradient)
        #expect(try file.tensors["2.weight"]?.matrix(as: Double.self) == network.dense(at: 2)?.weightGradient)
        #expect(try file.tensors["4.bias"]?.scalars(as: Double.self) == network.dense(at: 4)?.biasGradient)
    }

    @Test func evaluateCountsEverySampleInTheConfusionMatrix() throws {
        let folder = FormatTestSupport.temporaryFolder()
        _ = try Self.writeData(in: folder)
        #expect(try ReliabilitySupport.perceptron(Self.trainFlags + ["--output", "m.safetensors"], in: folder).status == 0)
        let run = try ReliabilitySupport.perceptron(
            ["evaluate", "--model", "m.safetensors", "--input", "x.npy", "--targets", "t.npy"], in: folder)
        #expect(run.status == 0, "\(run.standardError)")
        let lines = run.standardOutput.split(separator: "\n")
        #expect(lines.contains { $0.hasPrefix("accuracy: ") })
        // The two confusion rows are the last two lines: "   t  c0  c1".
        let counts = lines.suffix(2).flatMap { $0.split(separator: " ").dropFirst().compactMap { Int($0) } }
        #expect(counts.count == 4 && counts.reduce(0, +) == 40)
    }

    @Test(arguments: [
        ["train", "--epochs", "0"],
        ["train", "--input", "x.npy"],
        ["train", "--learning-rate", "-1"],
        ["train", "--hidden", "12,x"],
        ["train", "--early-stopping", "2"],
        ["train", "--dataset", "cifar"],
        ["train", "--backend", "gpu"],
        ["train", "--threads", "0"],
        ["train", "--threads", "65"],
        ["train", "--threads", "99999999999"],
    ])
    func invalidFlagsExitNonZeroWithoutWritingAModel(_ arguments: [String]) throws {
        let folder = FormatTestSupport.temporaryFolder()
        let run = try ReliabilitySupport.perceptron(arguments, in: folder)
        #expect(run.status != 0)
        #expect(run.standardError.contains("Error"))
        #expect(!run.standardError.contains("crashed"), "\(run.standardError)")
        #expect(!ReliabilitySupport.exists("\(folder)/model.safetensors"))
    }

    // The data set is gzip-compressed: reading it needs the Zlib trait.
    @Test(
        .enabled(
            if: GzipReader.isAvailable
                && ReliabilitySupport.exists("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz")))
    func fashionMNISTSubsetTrainsAndReportsTestAccuracy() throws {
        let folder = FormatTestSupport.temporaryFolder()
        let run = try ReliabilitySupport.perceptron(
            ["train", "--limit", "1000", "--epochs", "1", "--hidden", "32", "--output", "m.safetensors"], in: folder)
        #expect(run.status == 0, "\(run.standardError)")
        #expect(run.standardOutput.contains("test: loss"))
        #expect(ReliabilitySupport.exists("\(folder)/m.safetensors"))
    }

    /// A 3 → 4 → 2 float64 model (tanh, cross-entropy) saved as `m.safetensors` in `folder`.
    static func writeModel(in folder: String) throws {
        var generator = SeededGenerator(seed: 5)
        let network = try Network<Double>(
            sizes: [3, 4, 2], activation: .tanh, initializer: .xavier, using: &generator, backend: NaiveBackend())
        try ModelFile.write(network, loss: .crossEntropy, to: "\(folder)/m.safetensors")
    }

    /// One non-finite (or, for float32, too large) value planted in a data file, and the command
    /// that reads it.
    struct NonFiniteCase: Sendable, CustomTestStringConvertible {
        var name: String
        var arguments: [String]
        /// The file holding the value (`x.npy`, or float targets `tf.npy`).
        var file: String
        var row: Int
        var column: Int
        var value: Double
        /// Words the error line must contain besides the file and the position.
        var keywords: [String]

        var testDescription: String { name }
    }

    static let nonFiniteCases = [
        NonFiniteCase(
            name: "predict, NaN sample",
            arguments: ["predict", "--model", "m.safetensors", "--input", "x.npy", "--output", "p.npy"],
            file: "x.npy", row: 2, column: 1, value: .nan, keywords: ["non-finite", "nan"]),
        NonFiniteCase(
            name: "predict, +inf sample",
            arguments: ["predict", "--model", "m.safetensors", "--input", "x.npy", "--output", "p.npy", "--logits"],
            file: "x.npy", row: 39, column: 0, value: .infinity, keywords: ["non-finite", "inf"]),
        NonFiniteCase(
            name: "evaluate, +inf sample",
            arguments: ["evaluate", "--model", "m.safetensors", "--input", "x.npy", "--targets", "t.npy"],
            file: "x.npy", row: 5, column: 0, value: .infinity, keywords: ["non-finite", "inf"]),
        NonFiniteCase(
            name: "train, -inf sample",
            arguments: trainFlags + ["--output", "out.safetensors"],
            file: "x.npy", row: 38, column: 2, value: -.infinity, keywords: ["non-finite", "-inf"]),
        NonFiniteCase(
            name: "train mse, NaN target",
            arguments: [
                "train", "--input", "x.npy", "--targets", "tf.npy", "--loss", "mse", "--hidden", "4", "--epochs", "1",
                "--dtype", "float64", "--output", "out.safetensors",
            ],
            file: "tf.npy", row: 3, column: 1, value: .nan, keywords: ["non-finite", "nan"]),
        NonFiniteCase(
            name: "train float32, float64 sample too large for float32",
            arguments: [
                "train", "--input", "x.npy", "--targets", "t.npy", "--hidden", "4", "--epochs", "1", "--dtype", "float32",
                "--output", "out.safetensors",
            ],
            file: "x.npy", row: 0, column: 0, value: 1e300, keywords: ["does not fit in float32"]),
    ]

    /// NaN or ±∞ in samples or float targets (or a float64 value beyond float32's range read as
    /// float32) is refused before any computation: a non-zero exit, one line on stderr naming the
    /// file and the (row, column) of the first bad value, and no output written.
    @Test(arguments: nonFiniteCases)
    func nonFiniteDataIsRejectedUpFrontNamingFileRowAndColumnAndWritesNothing(_ bad: NonFiniteCase) throws {
        let folder = FormatTestSupport.temporaryFolder()
        let data = try Self.writeData(in: folder)
        try Self.writeModel(in: folder)
        var planted = bad.file == "x.npy" ? data.inputs : Matrix<Double>(rows: 40, columns: 2)
        // A later non-finite value too (every case's is before it): the error names the first one.
        planted[39, 1] = .nan
        planted[bad.row, bad.column] = bad.value
        try NPY.write(Tensor(planted), to: "\(folder)/\(bad.file)")
        let before = FormatTestSupport.listing(folder)

        let run = try ReliabilitySupport.perceptron(bad.arguments, in: folder)
        #expect(run.signal == nil && run.status != 0, "\(run.standardError)")
        #expect(run.errorLines.count == 1, "stderr: \(run.standardError)")
        let line = run.errorLines.last.map(String.init) ?? ""
        #expect(line.contains("\(bad.file): "), "does not name \(bad.file): \(line)")
        #expect(line.contains("row \(bad.row), column \(bad.column)"), "does not name the position: \(line)")
        for word in bad.keywords { #expect(line.contains(word), "does not say \(word): \(line)") }
        #expect(FormatTestSupport.listing(folder) == before, "files written: \(FormatTestSupport.listing(folder))")
    }

    /// A class index the model has no output for is blamed on the targets file, naming the row
    /// and the value, by `evaluate` and by `train --init` alike (not on the samples file).
    @Test func outOfRangeClassIndexIsBlamedOnTheTargetsFileNamingRowAndValue() throws {
        let folder = FormatTestSupport.temporaryFolder()
        let data = try Self.writeData(in: folder)
        try Self.writeModel(in: folder)
        var labels = data.labels
        labels[7] = 5
        labels[9] = 3
        try NPY.write(Tensor(integers: labels, shape: [40], dtype: .int64), to: "\(folder)/bad.npy")
        let runs = [
            ["evaluate", "--model", "m.safetensors", "--input", "x.npy", "--targets", "bad.npy"],
            ["train", "--init", "m.safetensors", "--input", "x.npy", "--targets", "bad.npy", "--epochs", "1",
             "--output", "out.safetensors"],
        ]
        for arguments in runs {
            let run = try ReliabilitySupport.perceptron(arguments, in: folder)
            #expect(run.status != 0, "\(arguments[0]): \(run.standardOutput)")
            #expect(run.errorLines.count == 1, "\(arguments[0]) stderr: \(run.standardError)")
            let line = run.errorLines.last.map(String.init) ?? ""
            #expect(line.contains("bad.npy: class index 5 at row 7"), "\(arguments[0]): \(line)")
            #expect(line.contains("0..<2") && !line.contains("x.npy"), "\(arguments[0]): \(line)")
        }
        #expect(!ReliabilitySupport.exists("\(folder)/out.safetensors"))
    }
}
