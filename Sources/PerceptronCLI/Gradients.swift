import ArgumentParser
import Perceptron

/// `perceptron gradients`: dL/dparameter for every parameter, the loss and dL/dinput.
struct Gradients: ParsableCommand, SavedModelCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write the loss and every gradient of one batch (parameters under their own names, plus `loss` and `input`).")

    @Option(help: "The model (.safetensors).")
    var model: String

    @Option(help: "Samples as a .npy array [N, features] (uint8 divided by 255, other integers by value).")
    var input: String

    @Option(help: "Targets as .npy: class indices [N] or rows [N, outputs].")
    var targets: String

    @Option(help: "Where to write the gradients (.safetensors).")
    var output: String

    @Option(help: "Loss (default: the model's own): cross-entropy, mse or bce.")
    var loss: Loss?

    @Flag(
        help: ArgumentHelp(
            "Run the model as PyTorch's model.train() does (batch statistics in batch_norm).",
            discussion: "By default the model runs as model.eval() does (running statistics, no dropout). With this flag every dropout layer must have p = 0: masks cannot match another program's random numbers."))
    var trainMode = false

    @OptionGroup var lossOptions: LossOptions

    @OptionGroup var compute: BackendOptions

    func run() throws {
        // Checked before any work, so a bad destination is not found after the computation.
        let destination = output
        try naming(destination) { try AtomicFile.checkWritable(destination) }
        try runOnSavedModel()
    }

    func run<T: Scalar>(_ start: Network<T>, loss savedLoss: Loss) throws {
        var network = start
        let loss = try lossOptions.applied(to: self.loss ?? savedLoss, outputs: network.outputSize)
        let samples = try loadArrays(T.self, input: input, targets: targets, loss: loss)
        guard samples.inputs.columns == network.inputSize else {
            throw CLIError("\(input): samples have \(samples.inputs.columns) features but \(model) takes \(network.inputSize)")
        }
        try samples.requireClasses(below: network.outputSize, of: model)
        if trainMode {
            for (i, layer) in network.layers.enumerated() {
                if case .dropout(let p) = layer, p > 0 {
                    throw CLIError(
                        "\(model): module \(i) is \(layer.spec.token): --train-mode needs every dropout to have p = 0 (its masks cannot match another program's random numbers)")
                }
            }
            if network.hasBatchNormalization, samples.inputs.rows < 2 {
                throw CLIError("\(input): batch_norm in training mode needs two samples or more, found \(samples.inputs.rows)")
            }
        }
        let mode: ExecutionMode = trainMode ? .training : .evaluation
        let value = try naming(targets) {
            try network.lossAndGradients(
                for: samples.inputs, targets: samples.targets, loss: loss, inputGradient: true, mode: mode)
        }
        let destination = output
        try naming(destination) { try ModelFile.writeGradients(of: network, loss: loss, lossValue: value, to: destination) }
        let withParameters = network.layers.filter { if case .activation = $0 { false } else if case .dropout = $0 { false } else { true } }
        print("wrote \(output): loss \(value), dL/dparameter for \(withParameters.count) modules with parameters and dL/dinput (\(trainMode ? "training" : "evaluation") mode)")
    }
}
