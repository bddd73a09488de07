/// Sums over evaluated rows from which the mean loss and the accuracy follow; summable across
/// ranks (every field adds), so data-parallel validation allreduces them.
struct EvaluationSums: Sendable, Equatable {
    /// Σ over chunks of (chunk mean loss × what it divides by).
    var lossSum = 0.0
    /// Σ over chunks of what each chunk's mean divides by: its rows, or with class weights the
    /// weights of its targets' classes (`LossKernels.normalizer`).
    var weight = 0.0
    /// The last chunk's mean loss (used as the mean when there was one chunk in all; summed
    /// over ranks it is still that chunk's, the others having evaluated none and added 0).
    var lastLoss = 0.0
    /// Correct predictions (argmax matches, or elements for bce).
    var correct = 0
    /// Predictions counted for accuracy.
    var counted = 0
    /// Chunks evaluated.
    var chunks = 0

    /// The mean loss over every row. One chunk: the chunk's mean itself, not re-weighted (so
    /// it is exactly the batch loss in Double); no chunk: 0.
    var meanLoss: Double { chunks == 1 ? lastLoss : chunks == 0 ? 0 : lossSum / weight }

    /// The accuracy, when `loss` has one and anything was counted.
    func accuracy(for loss: Loss) -> Double? {
        loss.hasAccuracy && counted > 0 ? Double(correct) / Double(counted) : nil
    }

    /// The fields in order, for an allreduce.
    var values: [Double] { [lossSum, weight, lastLoss, Double(correct), Double(counted), Double(chunks)] }

    /// Sums read back from ``values`` (summed over ranks).
    init(values: ArraySlice<Double>) {
        let v = Array(values)
        (lossSum, weight, lastLoss, correct, counted, chunks) = (v[0], v[1], v[2], Int(v[3]), Int(v[4]), Int(v[5]))
    }

    /// Nothing evaluated yet.
    init() {}
}
