import Testing

@testable import Perceptron

private typealias Support = ReliabilitySupport

/// 12 float32 samples of 4 features, three classes.
private let samples = try! NPY.encode(Tensor((0..<48).map { Float.sin(Float($0)) }, shape: [12, 4]))
private let labels = try! NPY.encode(Tensor(integers: (0..<12).map { $0 % 3 }, shape: [12], dtype: .int64))
private let values = try! NPY.encode(Tensor((0..<36).map { Float.cos(Float($0)) }, shape: [12, 3]))
/// A float32 4 → 5 → 3 model (cross-entropy).
private let model: [UInt8] = {
    var g = SeededGenerator(seed: 1)
    let network = try! Network<Float>(sizes: [4, 5, 3], using: &g, backend: NaiveBackend())
    return ModelFile.encode(network, loss: .crossEntropy).encoded()
}()

private let data = ["x.npy": samples, "t.npy": labels]
private let train = ["train", "--input", "x.npy", "--targets", "t.npy", "--hidden", "5", "--epochs", "1", "--output", "out.safetensors"]
private let gradients = [
    "gradients", "--model", "m.safetensors", "--input", "x.npy", "--targets", "t.npy", "--output", "g.safetensors",
]
private let evaluate = ["evaluate", "--model", "m.safetensors", "--input", "x.npy", "--targets", "t.npy"]

/// Issue 15's flags with bad values: each fails in one line naming the flag.
let trainingOptionInvocations: [HostileInvocation] = [
    HostileInvocation(
        name: "class weights of the wrong count", files: data, arguments: train + ["--class-weights", "1,2"],
        culprit: "--class-weights", keywords: ["2 weights", "3 outputs"]),
    HostileInvocation(
        name: "a negative class weight", files: data, arguments: train + ["--class-weights", "1,-1,1"],
        culprit: "--class-weights", keywords: ["-1", "≥ 0"]),
    HostileInvocation(
        name: "a class weight that is not a number", files: data, arguments: train + ["--class-weights", "1,x,1"],
        culprit: "--class-weights", keywords: ["'x'"]),
    HostileInvocation(
        name: "label smoothing above 1", files: data, arguments: train + ["--label-smoothing", "1.5"],
        culprit: "--label-smoothing", keywords: ["[0, 1]", "1.5"]),
    HostileInvocation(
        name: "negative label smoothing", files: data, arguments: train + ["--label-smoothing=-0.1"],
        culprit: "--label-smoothing", keywords: ["[0, 1]"]),
    HostileInvocation(
        name: "label smoothing with mse", files: ["x.npy": samples, "t.npy": values],
        arguments: train + ["--loss", "mse", "--label-smoothing", "0.1"], culprit: "--label-smoothing",
        keywords: ["cross-entropy"]),
    HostileInvocation(
        name: "a zero gradient-norm bound", files: data, arguments: train + ["--clip-grad-norm", "0"],
        culprit: "--clip-grad-norm", keywords: ["positive"]),
    HostileInvocation(
        name: "a negative gradient-norm bound", files: data, arguments: train + ["--clip-grad-norm=-1"],
        culprit: "--clip-grad-norm", keywords: ["positive"]),
    HostileInvocation(
        name: "plateau without validation data", files: data, arguments: train + ["--schedule", "plateau"],
        culprit: "--schedule plateau", keywords: ["validation"]),
    HostileInvocation(
        name: "plateau with a factor of 1", files: data,
        arguments: train + ["--schedule", "plateau", "--validation-fraction", "0.25", "--gamma", "1"],
        culprit: "--gamma", keywords: ["plateau"]),
    HostileInvocation(
        name: "gradients with class weights of the wrong count", files: data.merging(["m.safetensors": model]) { $1 },
        arguments: gradients + ["--class-weights", "1,2,3,4"], culprit: "--class-weights", keywords: ["4 weights"]),
    HostileInvocation(
        name: "evaluate with label smoothing above 1", files: data.merging(["m.safetensors": model]) { $1 },
        arguments: evaluate + ["--label-smoothing", "2"], culprit: "--label-smoothing", keywords: ["[0, 1]"]),
]

@Test(.enabled(if: Support.commandPath != nil), arguments: trainingOptionInvocations)
func badTrainingOptionFailsWithOneLineNamingTheFlagAndWritesNothing(_ invocation: HostileInvocation) throws {
    try hostileInputFailsWithOneLineNamingTheFileAndWritesNothing(invocation)
}

/// Every new flag together trains and saves a model.
@Test(.enabled(if: Support.commandPath != nil))
func trainAcceptsEveryTrainingOption() throws {
    let folder = FormatTestSupport.temporaryFolder()
    _ = try CommandLineTests.writeData(in: folder)
    let run = try Support.perceptron(
        CommandLineTests.trainFlags + [
            "--output", "m.safetensors", "--label-smoothing", "0.1", "--class-weights", "1,2", "--clip-grad-norm", "0.5",
            "--optimizer", "rmsprop", "--learning-rate", "0.01", "--weight-decay", "0.001", "--schedule", "plateau",
            "--gamma", "0.5", "--plateau-patience", "0", "--validation-fraction", "0.25",
        ], in: folder)
    #expect(run.status == 0, "\(run.standardError)")
    #expect(Support.exists("\(folder)/m.safetensors"))
}

/// `perceptron gradients` with the options writes what the library computes with the same loss.
@Test(.enabled(if: Support.commandPath != nil))
func gradientsCommandAppliesLabelSmoothingAndClassWeights() throws {
    let folder = FormatTestSupport.temporaryFolder()
    let (x, labels) = try CommandLineTests.writeData(in: folder)
    try CommandLineTests.writeModel(in: folder)
    let run = try Support.perceptron(
        [
            "gradients", "--model", "m.safetensors", "--input", "x.npy", "--targets", "t.npy", "--output", "g.safetensors",
            "--label-smoothing", "0.2", "--class-weights", "0.5,3", "--backend", "naive",
        ], in: folder)
    #expect(run.status == 0, "\(run.standardError)")
    var network = try ModelFile.read(from: "\(folder)/m.safetensors", as: Double.self, backend: NaiveBackend()).network
    let loss = try Loss(.crossEntropy, labelSmoothing: 0.2, classWeights: [0.5, 3])
    let value = try network.lossAndGradients(for: x, targets: .classes(labels), loss: loss)
    let written = try SafetensorsFile.read(from: "\(folder)/g.safetensors")
    let writtenLoss = try #require(written.tensors["loss"]).scalars(as: Double.self)
    // The same computation on the same backend: identical.
    #expect(writtenLoss == [value])
    let plain = try network.lossAndGradients(for: x, targets: .classes(labels), loss: .crossEntropy)
    #expect(abs(plain - value) > 1e-3)
}
