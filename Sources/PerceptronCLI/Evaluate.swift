import ArgumentParser
import Perceptron

/// `perceptron evaluate`: loss, accuracy, per-class accuracy and the confusion matrix.
struct Evaluate: ParsableCommand, SavedModelCommand {
    static let configuration = CommandConfiguration(
        abstract: "Evaluate a saved model: loss, accuracy, per-class accuracy, confusion matrix.")

    @Option(help: "The model (.safetensors).")
    var model: String

    @OptionGroup var data: DataOptions

    @OptionGroup var lossOptions: LossOptions

    @OptionGroup var compute: BackendOptions

    func run() throws { try runOnSavedModel() }

    func run<T: Scalar>(_ start: Network<T>, loss savedLoss: Loss) throws {
        var network = start
        let loss = try lossOptions.applied(to: savedLoss, outputs: network.outputSize)
        let samples = try data.load(T.self, loss: loss, part: .testOnly).train
        guard samples.inputs.columns == network.inputSize else {
            throw CLIError(
                "\(samples.source): samples have \(samples.inputs.columns) features but \(model) takes \(network.inputSize)")
        }
        try samples.requireClasses(below: network.outputSize, of: model)
        let (value, accuracy) = try naming(samples.source) {
            try network.evaluate(samples.inputs, targets: samples.targets, loss: loss)
        }
        print("model: \(model) (\(network.layerDescription), \(T.precision), \(loss.rawValue))")
        print("samples: \(samples.inputs.rows) from \(samples.source)")
        print("loss: \(format(Double(value), digits: 6))")
        if let accuracy { print("accuracy: \(format(accuracy * 100, digits: 2))%") }

        let labels: [Int]
        switch samples.targets {
        case .classes(let c): labels = c
        case .probabilities(let p): labels = (0..<p.rows).map { ConfusionMatrix.argmax(p, row: $0) }
        case .values: return
        }
        guard loss.kind == .crossEntropy || loss.kind == .categoricalCrossEntropy else { return }
        let scores = try naming(samples.source) { try network.predict(samples.inputs) }
        let confusion = try naming(samples.source) { try ConfusionMatrix(scores: scores, labels: labels) }
        print("per-class accuracy:")
        for (c, a) in confusion.perClassAccuracy.enumerated() {
            print("  class \(c): " + (a.map { "\(format($0 * 100, digits: 2))%" } ?? "no samples"))
        }
        print("confusion matrix (rows: true class, columns: predicted class):")
        let width = max(3, String(confusion.counts.flatMap { $0 }.max() ?? 0).count)
        print("     " + (0..<confusion.classes).map { String($0).leftPadded(to: width, with: " ") }.joined(separator: " "))
        for (t, row) in confusion.counts.enumerated() {
            print(String(t).leftPadded(to: 4, with: " ") + " "
                + row.map { String($0).leftPadded(to: width, with: " ") }.joined(separator: " "))
        }
    }
}
