import ArgumentParser
import Perceptron

/// `perceptron gradients`: dL/dparameter for every parameter, the loss and dL/dinput.
struct Gradients: ParsableCommand {
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

    func run() throws {
        let backend = try compute.make()
        let path = model
        let saved = try naming(path) { try ModelFile.read(from: path, backend: backend) }
        switch saved {
        case .float32(let saved): try gradients(saved.network, loss: loss ?? saved.loss, backend: backend)
        case .float64(let saved): try gradients(saved.network, loss: loss ?? saved.loss, backend: backend)
        }
    }

    private func gradients<T: Scalar>(_ start: Network<T>, loss: Loss, backend: any Backend) throws {
        var network = start
        network.backend = backend
        let samples = try loadArrays(T.self, input: input, targets: targets, loss: loss)
        guard samples.inputs.columns == network.inputSize else {
            throw CLIError("\(input): samples have \(samples.inputs.columns) features but \(model) takes \(network.inputSize)")
        }
        let value = try naming(targets) {
            try network.lossAndGradients(for: samples.inputs, targets: samples.targets, loss: loss, inputGradient: true)
        }
        let destination = output
        try naming(destination) { try ModelFile.writeGradients(of: network, loss: loss, lossValue: value, to: destination) }
        print("wrote \(output): loss \(value), dL/dparameter for \(network.layers.filter { $0.dense != nil }.count) linear layers and dL/dinput")
    }
}
