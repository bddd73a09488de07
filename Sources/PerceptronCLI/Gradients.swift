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
        switch try naming(path) { try ModelFile.load(from: path) } {
        case .float32(let network, let saved): try gradients(network, loss: loss ?? saved, backend: backend)
        case .float64(let network, let saved): try gradients(network, loss: loss ?? saved, backend: backend)
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
        var tensors: [String: Tensor] = ["loss": Tensor(scalar: value), "input": Tensor(network.inputGradient)]
        for (index, layer) in network.layers.enumerated() {
            guard case .dense(let dense) = layer else { continue }
            tensors["\(index).weight"] = Tensor(dense.weightGradient)
            tensors["\(index).bias"] = try Tensor(dense.biasGradient, shape: [dense.biasGradient.count])
        }
        let file = SafetensorsFile(tensors: tensors, metadata: ["perceptron.loss": loss.rawValue])
        let destination = output
        try naming(destination) { try file.write(to: destination) }
        print("wrote \(output): loss \(value), \(tensors.count - 2) parameter gradients and dL/dinput")
    }
}
