import ArgumentParser
import Perceptron

/// Where samples come from: a named IDX data set, or a pair of `.npy` files.
struct DataOptions: ParsableArguments {
    @Option(help: "Data set: fashion-mnist (the default; the four IDX files of Debian's dataset-fashion-mnist).")
    var dataset: String?

    @Option(help: "Read the data set's four IDX files (plain or .gz) from this folder instead.")
    var dataDir: String?

    @Option(
        help: ArgumentHelp(
            "Samples as a .npy array [N, features]; needs --targets.",
            discussion: """
                Float samples are used as they are. Integer samples follow one rule everywhere: \
                uint8 values are pixel intensities and are divided by 255 (as the IDX data sets \
                are), int32 and int64 values are taken as numbers, unscaled.
                """))
    var input: String?

    @Option(help: "Targets as .npy: class indices [N] (int) or rows [N, C] (float).")
    var targets: String?

    @Option(help: "Use only the first N samples of each split (quick runs).")
    var limit: Int?

    func validate() throws {
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1 (got \(limit))") }
        if (input == nil) != (targets == nil) {
            throw ValidationError("--input and --targets go together")
        }
        if input != nil, let given = dataset.map({ _ in "--dataset" }) ?? dataDir.map({ _ in "--data-dir" }) {
            throw ValidationError("\(given) and --input name two different data sources; give one of them")
        }
        if let dataset, dataset != "fashion-mnist" {
            throw ValidationError("unknown --dataset '\(dataset)' (known: fashion-mnist; or use --data-dir, or --input/--targets)")
        }
    }

    /// The folder holding the IDX files.
    var folder: String { dataDir ?? MNISTDataset<Float>.fashionMNISTDirectory }
}

/// Samples and targets in one precision.
struct Samples<T: Scalar> {
    var inputs: Matrix<T>
    var targets: Targets<T>
    /// Where they came from, for messages.
    var source: String
    /// Where the targets came from (a `--targets` file, or the data set's labels), for messages.
    var targetsSource: String
    /// The number of classes the data set itself defines (an IDX data set: one more than the
    /// largest label of its whole training split), or `nil` when only the labels can tell.
    var datasetClasses: Int? = nil
}

extension Samples {
    /// The first `limit` samples (all of them when `limit` is nil or larger).
    func prefix(_ limit: Int?) -> Samples {
        guard let limit, limit < inputs.rows else { return self }
        let rows = 0..<limit
        return Samples(
            inputs: inputs.rows(rows), targets: targets.gathered(rows), source: "\(source), first \(limit)",
            targetsSource: "\(targetsSource), first \(limit)", datasetClasses: datasetClasses)
    }

    /// Checks that every class index names one of a network's `outputs`, before anything runs.
    /// - Throws: ``CLIError`` naming ``targetsSource``, the first bad row (from 0) and its value.
    /// For target rows, checks that their width is the network's output count.
    /// - Throws: ``CLIError`` naming ``targetsSource``, the first bad row (from 0) and its value.
    func requireClasses(below outputs: Int, of model: String) throws {
        switch targets {
        case .classes(let c):
            guard let row = c.firstIndex(where: { $0 >= outputs }) else { return }
            throw CLIError(
                "\(targetsSource): class index \(c[row]) at row \(row) (counting from 0) is outside 0..<\(outputs), the classes of \(model)")
        case .probabilities(let m), .values(let m):
            guard m.columns != outputs else { return }
            throw CLIError("\(targetsSource): target rows have \(m.columns) columns but \(model) has \(outputs) outputs")
        }
    }
}

/// The training data and, for IDX data sets, the test split.
struct LoadedData<T: Scalar> {
    var train: Samples<T>
    var test: Samples<T>?

    /// Bytes the samples and targets of both splits occupy.
    var bytes: Double {
        [train, test].compactMap { $0 }.reduce(0) { sum, s in
            let targets: Double =
                switch s.targets {
                case .classes(let c): Double(c.count * MemoryLayout<Int>.size)
                case .probabilities(let m), .values(let m): Double(m.rows * m.columns * MemoryLayout<T>.size)
                }
            return sum + Double(s.inputs.rows * s.inputs.columns * MemoryLayout<T>.size) + targets
        }
    }
}

extension DataOptions {
    /// Which part of an IDX data set to return as ``LoadedData/train``.
    enum Part { case both, testOnly }

    /// Loads the samples the options name; `loss` decides how float target rows are read.
    /// For an IDX data set, `.both` gives the train split with the test split beside it and
    /// `.testOnly` gives the test split alone (in ``LoadedData/train``).
    func load<T: Scalar>(_: T.Type, loss: Loss, part: Part = .both) throws -> LoadedData<T> {
        if let input, let targets {
            let train = try loadArrays(T.self, input: input, targets: targets, loss: loss)
            return LoadedData(train: train.prefix(limit), test: nil)
        }
        let folder = self.folder
        let set = try naming(folder) { try MNISTDataset<T>(directory: folder) }
        let classes = (set.train.labels.max() ?? -1) + 1
        let test = Samples(
            inputs: set.test.images, targets: .classes(set.test.labels), source: "\(folder) (test)",
            targetsSource: "\(folder) (test labels)", datasetClasses: classes
        ).prefix(limit)
        if part == .testOnly { return LoadedData(train: test, test: nil) }
        let train = Samples(
            inputs: set.train.images, targets: .classes(set.train.labels), source: "\(folder) (train)",
            targetsSource: "\(folder) (train labels)", datasetClasses: classes
        ).prefix(limit)
        return LoadedData(train: train, test: test)
    }
}

/// Reads `input` and `targets` `.npy` files as samples for `loss`.
func loadArrays<T: Scalar>(_: T.Type, input: String, targets: String, loss: Loss) throws -> Samples<T> {
    let x = try naming(input) { try NPY.read(from: input) }
    guard x.shape.count == 2 else {
        throw CLIError("\(input): samples must be a 2-D array [N, features], found shape \(x.shape)")
    }
    // Zero rows cost no bytes, so the width is unbounded: a network sized from it would not fit in memory.
    guard x.shape[0] > 0 else { throw CLIError("\(input): no samples (shape \(x.shape))") }
    let inputs = try sampleMatrix(x, as: T.self, file: input)
    let t = try naming(targets) { try NPY.read(from: targets) }
    let parsed: Targets<T>
    if t.dtype.isFloatingPoint {
        guard t.shape.count == 2 else {
            throw CLIError("\(targets): float targets must be rows [N, C], found shape \(t.shape)")
        }
        let rows = try finiteMatrix(t, as: T.self, file: targets)
        parsed = loss.kind == .crossEntropy || loss.kind == .categoricalCrossEntropy ? .probabilities(rows) : .values(rows)
    } else {
        guard t.shape.count == 1 else {
            throw CLIError("\(targets): class indices must be a 1-D array [N], found shape \(t.shape)")
        }
        guard loss.kind == .crossEntropy || loss.kind == .categoricalCrossEntropy else {
            throw CLIError("\(targets): \(loss.rawValue) needs float targets [N, outputs], found integer class indices")
        }
        parsed = .classes(try naming(targets) { try t.integers() })
    }
    guard parsed.count == inputs.rows else {
        throw CLIError("\(targets): \(parsed.count) targets for \(inputs.rows) samples in \(input)")
    }
    if case .classes(let c) = parsed, let row = c.firstIndex(where: { $0 < 0 }) {
        throw CLIError("\(targets): class index \(c[row]) at row \(row) (counting from 0) is negative")
    }
    return Samples(inputs: inputs, targets: parsed, source: input, targetsSource: targets)
}

/// The samples in the rank-2 array `tensor`, read from `file`, by the one rule for sample
/// dtypes: floats as they are, `uint8` divided by 255 (pixel intensities, as the IDX data sets
/// are read), `int32`/`int64` by value.
/// - Throws: ``CLIError`` as ``finiteMatrix(_:as:file:)`` does.
func sampleMatrix<T: Scalar>(_ tensor: Tensor, as _: T.Type, file: String) throws -> Matrix<T> {
    guard tensor.dtype == .uint8 else { return try finiteMatrix(tensor, as: T.self, file: file) }
    guard tensor.shape.count == 2 else { return try finiteMatrix(tensor, as: T.self, file: file) }
    let pixels = try naming(file) { try tensor.scalars(as: T.self, converting: true) }
    // Each value divided once, correctly rounded, as the IDX loader's table does.
    return try naming(file) {
        try Matrix(rows: tensor.shape[0], columns: tensor.shape[1], elements: pixels.map { $0 / 255 })
    }
}

/// The rank-2 float array `tensor`, read from `file`, as a matrix of `T`, every element finite.
///
/// Shared by every command that reads samples or float targets, so that a NaN or ±∞ is refused
/// up front instead of surfacing later as garbage outputs or a NaN loss.
/// - Throws: ``CLIError`` naming `file` and the position (row, column, from 0) of the first
///   non-finite element, or of the first value too large for `T` (a float64 file read as float32).
@_specialize(where T == Float)
@_specialize(where T == Double)
func finiteMatrix<T: Scalar>(_ tensor: Tensor, as _: T.Type, file: String) throws -> Matrix<T> {
    let matrix = try naming(file) { try tensor.matrix(as: T.self, converting: true) }
    let first = matrix.withUnsafeBufferPointer { $0.firstIndex { !$0.isFinite } }
    guard let first else { return matrix }
    let (row, column) = first.quotientAndRemainder(dividingBy: matrix.columns)
    // Read in float64 to tell a value the file holds from one that overflowed in the conversion.
    let original = (try? tensor.matrix(as: Double.self, converting: true))?[row, column] ?? Double(matrix[row, column])
    let position = "at row \(row), column \(column) (counting from 0)"
    if original.isFinite {
        throw CLIError("\(file): value \(original) \(position) does not fit in \(T.precision); values must be finite in \(T.precision)")
    }
    throw CLIError("\(file): non-finite value \(original) \(position); every value must be a finite number")
}

extension Targets {
    /// The number of outputs a network needs for these targets: classes or row width.
    var outputWidth: Int {
        switch self {
        case .classes(let c): c.max().map { $0 == Int.max ? Int.max : $0 + 1 } ?? 0
        case .probabilities(let m), .values(let m): m.columns
        }
    }
}
