import ArgumentParser
import Foundation
import Perceptron

/// `--label-smoothing S` and `--class-weights w0,w1,…`: cross-entropy's options, shared by
/// `train`, `gradients` and `evaluate`.
struct LossOptions: ParsableArguments {
    @Option(help: "Cross-entropy label smoothing in [0, 1] (nn.CrossEntropyLoss(label_smoothing=S)).")
    var labelSmoothing: Double?

    @Option(help: "Cross-entropy class weights w0,w1,… (≥ 0, one per class; nn.CrossEntropyLoss(weight=…)).")
    var classWeights: String?

    /// Checks the values; a bad one is a ``CLIError`` (one line on stderr, no usage text).
    func validate() throws {
        if let labelSmoothing, !(labelSmoothing >= 0 && labelSmoothing <= 1) {
            throw CLIError("--label-smoothing must be in [0, 1] (got \(labelSmoothing))")
        }
        _ = try weights()
    }

    /// The parsed `--class-weights`, or `nil`.
    func weights() throws -> [Double]? {
        guard let classWeights else { return nil }
        let parts = classWeights.split(separator: ",", omittingEmptySubsequences: false)
        return try parts.enumerated().map { index, part in
            let text = part.trimmingCharacters(in: .whitespaces)
            guard let weight = Double(text), weight.isFinite, weight >= 0 else {
                throw CLIError(
                    "--class-weights must be numbers ≥ 0 separated by commas (weight \(index) is '\(text)')")
            }
            return weight
        }
    }

    /// `loss` with these options, checked against a model of `outputs` outputs.
    /// - Throws: ``CLIError`` naming the flag when an option does not fit the loss or the model.
    func applied(to loss: Loss, outputs: Int) throws -> Loss {
        let weights = try weights()
        if let weights, weights.count != outputs {
            throw CLIError("--class-weights has \(weights.count) weights but the model has \(outputs) outputs (classes)")
        }
        guard labelSmoothing != nil || weights != nil else { return loss }
        guard loss.kind == .crossEntropy else {
            throw CLIError("--label-smoothing and --class-weights need --loss cross-entropy (the loss is \(loss.rawValue))")
        }
        do {
            return try Loss(loss.kind, labelSmoothing: labelSmoothing ?? 0, classWeights: weights)
        } catch {
            throw CLIError("\(error)")
        }
    }
}
