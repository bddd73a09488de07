import ArgumentParser
import Perceptron

/// `perceptron gradients`: dL/dparameter for every parameter, the loss and dL/dinput.
struct Gradients: ParsableCommand, SavedModelCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write the loss and every gradient of one batch (parameters under their own names, plus `loss` and `input`).")

    @Option(help: "The model (.safetensors).")
    var model: String

    @Option(help: "Samples as a .npy array [N, features].")
    var input: String

    @Option(help: "Targets as .npy: class indices [N] or rows [N, outputs].")
    var targets: String

    @Option(help: "Where to write the gradients (.safetensors).")
    var output: String

    @Option(help: "Loss (default: the model's own): cross-entropy, mse or bce.")
    var loss: Loss?

    @OptionGroup var compute: BackendOptions

    func run() throws { try runOnSavedModel() }

    func run<T: Scalar>(_ start: Network<T>, loss savedLoss: Loss) throws {
        var network = start
        let loss = self.loss ?? savedLoss
        let samples = try loadArrays(T.self, input: input, targets: targets, loss: loss)
        guard samples.inputs.columns == network.inputSize else {
            throw CLIError("\(input): samples have \(samples.inputs.columns) features but \(model) takes \(network.inputSize)")
        }
        try samples.requireClasses(below: network.outputSize, of: model)
        let value = try naming(targets) {
            try network.lossAndGradients(for: samples.inputs, targets: samples.targets, loss: loss, inputGradient: true)
        }
        let destination = output
        try naming(destination) { try ModelFile.writeGradients(of: network, loss: loss, lossValue: value, to: destination) }
        print("wrote \(output): loss \(value), dL/dparameter for \(network.layers.filter { $0.dense != nil }.count) linear layers and dL/dinput")
    }
}
