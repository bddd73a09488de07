import ArgumentParser
import Foundation
import Perceptron

/// `perceptron train`: the checks of its flags, before anything is loaded.
extension Train {
    func validate() throws {
        guard UInt64(seedText) != nil else {
            throw ValidationError("--seed must be an integer from 0 to \(UInt64.max) (got \(seedText))")
        }
        guard epochs >= 1 else { throw ValidationError("--epochs must be at least 1 (got \(epochs))") }
        guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1 (got \(batchSize))") }
        guard learningRate.isFinite, learningRate > 0 else {
            throw ValidationError("--learning-rate must be a positive number (got \(learningRate))")
        }
        if let momentum {
            guard momentum.isFinite, momentum >= 0 else { throw ValidationError("--momentum must be ≥ 0 (got \(momentum))") }
            guard optimizer == .sgd || optimizer == .rmsprop else {
                throw ValidationError("--momentum applies to --optimizer sgd or rmsprop only (\(optimizer.rawValue) keeps its own moments)")
            }
        }
        if let weightDecay, !(weightDecay.isFinite && weightDecay >= 0) {
            throw ValidationError("--weight-decay must be ≥ 0 (got \(weightDecay))")
        }
        guard validationFraction >= 0, validationFraction < 1 else {
            throw ValidationError("--validation-fraction must be in [0, 1) (got \(validationFraction))")
        }
        if let earlyStopping, earlyStopping < 1 {
            throw ValidationError("--early-stopping must be at least 1 (got \(earlyStopping))")
        }
        if earlyStopping != nil, validationFraction == 0 {
            throw ValidationError("--early-stopping needs --validation-fraction")
        }
        if let stepSize, stepSize < 1 { throw ValidationError("--step-size must be at least 1 (got \(stepSize))") }
        if let gamma, !(gamma.isFinite && gamma > 0) { throw ValidationError("--gamma must be positive (got \(gamma))") }
        if schedule != .step, let stepSize {
            throw ValidationError("--step-size \(stepSize) applies to --schedule step only (the schedule is \(schedule.rawValue))")
        }
        if schedule != .step && schedule != .plateau, let gamma {
            throw ValidationError("--gamma \(gamma) applies to --schedule step or plateau only (the schedule is \(schedule.rawValue))")
        }
        if schedule == .plateau {
            guard (gamma ?? 0.1) < 1 else { throw CLIError("--gamma must be below 1 with --schedule plateau (got \(gamma ?? 0.1))") }
            guard plateauPatience >= 0 else {
                throw CLIError("--plateau-patience must be at least 0 (got \(plateauPatience))")
            }
            guard validationFraction > 0 else {
                throw CLIError("--schedule plateau needs validation data (--validation-fraction)")
            }
        }
        if let clipGradNorm, !(clipGradNorm.isFinite && clipGradNorm > 0) {
            throw CLIError("--clip-grad-norm must be a positive number (got \(clipGradNorm))")
        }
        if let classes, classes < 1 { throw ValidationError("--classes must be at least 1 (got \(classes))") }
        if maxMemory != nil { _ = try maxMemoryBytes() }
        if nesterov, optimizer != .sgd || (momentum ?? 0) == 0 {
            throw ValidationError("--nesterov needs --optimizer sgd and a non-zero --momentum")
        }
        _ = try hiddenWidths()
        guard activation != .softmax else {
            throw ValidationError(
                "--activation softmax is not a hidden activation (use relu, leaky_relu, sigmoid, tanh, gelu, silu, softplus or elu)")
        }
        guard dropout >= 0, dropout < 1 else {
            throw ValidationError("--dropout must be in [0, 1) (got \(dropout))")
        }
        if loss?.kind == .categoricalCrossEntropy {
            throw ValidationError("--loss must be cross-entropy, mse or bce")
        }
        if let path = self.`init` {
            var layerFlags: [String] = []
            if hidden != nil { layerFlags.append("--hidden") }
            if activation != .relu { layerFlags.append("--activation") }
            if normalization != .none { layerFlags.append("--normalization") }
            if dropout != 0 { layerFlags.append("--dropout") }
            if initializer != nil { layerFlags.append("--initializer") }
            if dtype != nil { layerFlags.append("--dtype") }
            if loss != nil { layerFlags.append("--loss") }
            if classes != nil { layerFlags.append("--classes") }
            if !layerFlags.isEmpty {
                throw ValidationError(
                    "\(layerFlags.joined(separator: ", ")) cannot be used with --init: the layers, loss, precision and classes come from \(path)")
            }
        }
        for (flag, path) in outputPaths where path.isEmpty {
            throw ValidationError("\(flag) needs a file name (got an empty one)")
        }
        let named = outputPaths.map(\.path)
        if let repeated = named.first(where: { p in named.filter { $0 == p }.count > 1 }) {
            let flags = outputPaths.filter { $0.path == repeated }.map(\.flag)
            throw ValidationError("\(flags.joined(separator: " and ")) name the same file '\(repeated)'; give each its own")
        }
    }

    /// The files the run writes, with the flag that names each.
    var outputPaths: [(flag: String, path: String)] {
        [("--output", output)] + (metrics.map { [("--metrics", $0)] } ?? []) + (plot.map { [("--plot", $0)] } ?? [])
    }

    /// `--max-memory` in bytes: a number with an optional unit (k, M, G, T: powers of 1000, as the messages print sizes).
    func maxMemoryBytes() throws -> Double? {
        guard let text = maxMemory?.uppercased() else { return nil }
        var digits = Substring(text)
        if digits.hasSuffix("IB") { digits = digits.dropLast(2) } else if digits.hasSuffix("B") { digits = digits.dropLast() }
        let scale: Double
        switch digits.last {
        case "K": scale = 1e3
        case "M": scale = 1e6
        case "G": scale = 1e9
        case "T": scale = 1e12
        default: scale = 1
        }
        if scale != 1 { digits = digits.dropLast() }
        guard let value = Double(digits), value.isFinite, value > 0 else {
            throw ValidationError("--max-memory must be a positive size such as 2G, 500M or 1048576 (got '\(maxMemory ?? "")')")
        }
        return value * scale
    }

    func hiddenWidths() throws -> [Int] {
        let hidden = self.hidden ?? "256,128"
        if hidden.trimmingCharacters(in: .whitespaces).isEmpty { return [] }
        let parts = hidden.split(separator: ",", omittingEmptySubsequences: false)
        return try parts.map { part in
            guard let width = Int(part.trimmingCharacters(in: .whitespaces)), width >= 1 else {
                throw ValidationError("--hidden must be positive integers separated by commas (got '\(hidden)')")
            }
            return width
        }
    }
}
