import Foundation
import Perceptron

/// The line printed after each epoch: loss and accuracy, train and validation.
struct EpochLine {
    var text: String

    init(_ r: EpochRecord) {
        var parts = ["epoch \(r.epoch)", "loss \(format(r.trainLoss, digits: 4))"]
        if let a = r.trainAccuracy { parts.append("accuracy \(format(a * 100, digits: 2))%") }
        if let v = r.validationLoss { parts.append("val loss \(format(v, digits: 4))") }
        if let a = r.validationAccuracy { parts.append("val accuracy \(format(a * 100, digits: 2))%") }
        parts.append("lr \(significant(r.learningRate))")
        parts.append("\(format(r.seconds, digits: 2)) s")
        text = parts.joined(separator: "  ")
    }
}

extension EpochPoint {
    init(_ r: EpochRecord) {
        self.init(
            epoch: r.epoch, trainLoss: r.trainLoss, trainAccuracy: r.trainAccuracy,
            validationLoss: r.validationLoss, validationAccuracy: r.validationAccuracy, learningRate: r.learningRate)
    }
}

/// `--metrics FILE.csv`: one row per epoch.
struct MetricsCSV {
    private(set) var text = "epoch,train_loss,train_accuracy,validation_loss,validation_accuracy,learning_rate,seconds\n"

    mutating func append(_ r: EpochRecord) {
        func cell(_ v: Double?) -> String { v.map { "\($0)" } ?? "" }
        text += [
            "\(r.epoch)", cell(r.trainLoss), cell(r.trainAccuracy), cell(r.validationLoss),
            cell(r.validationAccuracy), cell(r.learningRate), cell(r.seconds),
        ].joined(separator: ",") + "\n"
    }
}

extension Network {
    /// `784-256-128-10 batch_norm,relu,dropout(0.2)`: the layer widths and the other modules'
    /// kinds, each once, in order of appearance.
    var layerDescription: String {
        var widths = [inputSize]
        var kinds: [String] = []
        for layer in layers {
            if case .dense(let d) = layer {
                widths.append(d.outputSize)
            } else if !kinds.contains(layer.spec.token) {
                kinds.append(layer.spec.token)
            }
        }
        let w = widths.map(String.init).joined(separator: "-")
        return kinds.isEmpty ? w : "\(w) \(kinds.joined(separator: ","))"
    }
}

/// `value` with at most 4 significant digits (`0.001`, `2.5e-05`).
func significant(_ value: Double) -> String {
    String(format: "%.4g", value)
}
