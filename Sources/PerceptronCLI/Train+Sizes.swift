import Foundation
import Perceptron

/// `perceptron train`: the class count and the memory a run needs, decided before anything is
/// allocated.
extension Train {
    /// The output width for `samples` and a note saying how it was chosen: `--classes`, the data
    /// set's own classes, or one more than the largest label, when every class below it has a
    /// sample; the width of target rows.
    /// - Throws: ``CLIError`` when the labels leave a class with no sample and no `--classes` was
    ///   given, or `--classes` is given for target rows.
    func outputCount<T>(for samples: Samples<T>) throws -> (Int, String) {
        guard case .classes(let labels) = samples.targets else {
            let width = samples.targets.outputWidth
            if let classes, classes != width {
                throw CLIError("--classes \(classes) does not match \(samples.targetsSource): its target rows have \(width) columns")
            }
            guard width >= 1 else { throw CLIError("\(samples.targetsSource): no targets to learn") }
            return (width, "")
        }
        if let classes { return (classes, ", \(classes) classes (--classes)") }
        let largest = labels.max() ?? -1
        if let known = samples.datasetClasses, largest < known {
            return (known, ", \(known) classes (the data set's labels 0–\(known - 1))")
        }
        guard largest >= 0 else { throw CLIError("\(samples.targetsSource): no targets to learn") }
        let present = Set(labels)
        let count = largest == Int.max ? Double(Int.max) + 1 : Double(largest + 1)
        if Double(present.count) < count {
            let missing = (0..<min(largest, 1 << 20)).first { !present.contains($0) } ?? 0
            let row = labels.firstIndex(of: largest) ?? 0
            throw CLIError(
                "\(samples.targetsSource): the largest label \(largest) (row \(row), counting from 0) would make \(largest == Int.max ? "2^63" : String(largest + 1)) classes, but \(Int(count) - present.count) of them have no sample (class \(missing) is the first); pass --classes N if the data set has N classes, or fix the label"
            )
        }
        return (largest + 1, ", \(largest + 1) classes (labels 0–\(largest) in \(samples.targetsSource))")
    }

    /// Refuses, in one line naming the sizes and the flag to change, a run whose estimated memory
    /// exceeds `--max-memory` or what the system has available; nothing is allocated before.
    func requireMemory(widths: [Int], scalarBytes: Int, batch: Int, dataBytes: Double, layersFrom model: String?)
        throws
    {
        let copies =
            switch optimizer {
            case .sgd: (momentum ?? 0) > 0 ? 1 : 0
            case .rmsprop: (momentum ?? 0) > 0 ? 2 : 1
            case .adam, .adamw: 2
            }
        let estimate = MemoryEstimate(
            widths: widths, scalarBytes: scalarBytes, batch: batch, optimizerStateCopies: copies,
            normalization: normalization != .none, dataBytes: dataBytes)
        let limit: Double
        let needed: Double
        let against: String
        if let cap = try maxMemoryBytes() {
            (limit, needed, against) = (cap, estimate.total, "--max-memory \(maxMemory ?? "")")
        } else if let available = MemoryEstimate.availableBytes() {
            // The data is loaded already: it is part of what is in use, not of what is left.
            (limit, needed, against) = (available, estimate.total - estimate.data, "available memory")
        } else {
            return
        }
        guard needed > limit else { return }
        let d = MemoryEstimate.describe
        let modelBytes = estimate.parameters + estimate.gradients + estimate.optimizerState + estimate.checkpoint
        let flag =
            model.map { "a smaller model than \($0)" }
            ?? (modelBytes >= estimate.batchWorkspace
                ? (widths.count > 2 ? "lower --hidden" : "fewer classes or features")
                : "lower --batch-size")
        throw CLIError(
            "the run needs about \(d(estimate.total)) (parameters \(d(estimate.parameters)), gradients \(d(estimate.gradients)), optimizer state \(d(estimate.optimizerState)), batch workspace \(d(estimate.batchWorkspace)), saving a checkpoint \(d(estimate.checkpoint)), data \(d(estimate.data))) but \(against) is \(d(limit)); \(flag)"
        )
    }
}
