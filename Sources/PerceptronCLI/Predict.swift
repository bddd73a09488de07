import ArgumentParser
import Perceptron

/// `perceptron predict`: the model's head output for every sample, as `.npy`.
struct Predict: ParsableCommand, SavedModelCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write the model's outputs: softmax probabilities (cross-entropy), sigmoid (bce), identity (mse).")

    @Option(help: "The model (.safetensors).")
    var model: String

    @Option(help: "Samples as a .npy array [N, features] (uint8 divided by 255, other integers by value).")
    var input: String

    @Option(help: "Where to write the outputs (.npy, in the model's dtype).")
    var output: String

    @Flag(help: "Write the raw last-layer output instead of the head's.")
    var logits = false

    @OptionGroup var compute: BackendOptions

    func run() throws {
        // Checked before any work, so a bad destination is not found after the computation.
        let destination = output
        try naming(destination) { try AtomicFile.checkWritable(destination) }
        try runOnSavedModel()
    }

    func run<T: Scalar>(_ start: Network<T>, loss: Loss) throws {
        let network = start
        let path = input
        let x = try naming(path) { try NPY.read(from: path) }
        guard x.shape.count == 2 else { throw CLIError("\(input): samples must be a 2-D array [N, features], found shape \(x.shape)") }
        let samples = try sampleMatrix(x, as: T.self, file: path)
        guard samples.columns == network.inputSize else {
            throw CLIError("\(input): samples have \(samples.columns) features but \(model) takes \(network.inputSize)")
        }
        let raw = try naming(path) { try network.predict(samples) }
        let result = logits ? raw : loss.head(raw)
        let destination = output
        try naming(destination) { try NPY.write(Tensor(result), to: destination) }
        print("wrote \(output): [\(result.rows), \(result.columns)] \(T.precision) \(logits ? "logits" : "outputs")")
    }
}
