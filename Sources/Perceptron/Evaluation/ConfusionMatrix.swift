/// Counts of (true class, predicted class) pairs, with per-class and overall accuracy.
///
/// `counts[t][p]` is the number of samples of class `t` predicted as `p`; the prediction is the
/// argmax of a row of scores (logits or probabilities: the argmax is the same).
public struct ConfusionMatrix: Sendable, Equatable {
    /// `counts[trueClass][predictedClass]`.
    public private(set) var counts: [[Int]]

    /// An empty matrix over `classes` classes.
    public init(classes: Int) {
        counts = Array(repeating: Array(repeating: 0, count: classes), count: classes)
    }

    /// The confusion matrix of `scores` `[N, classes]` against class indices `labels` `[N]`.
    /// - Throws: ``ShapeError`` if the counts differ or a label is outside `0..<classes`.
    public init<T: Scalar>(scores: Matrix<T>, labels: [Int]) throws(ShapeError) {
        guard labels.count == scores.rows else {
            throw ShapeError(
                operation: "ConfusionMatrix", shapes: [.init("scores", scores.shape), .init("labels", [labels.count])],
                reason: "one label per row of scores is needed")
        }
        if let bad = labels.first(where: { $0 < 0 || $0 >= scores.columns }) {
            throw ShapeError(
                operation: "ConfusionMatrix", shapes: [.init("scores", scores.shape), .init("labels", [labels.count])],
                reason: "label \(bad) is not a class index below \(scores.columns)")
        }
        self.init(classes: scores.columns)
        for (i, label) in labels.enumerated() {
            counts[label][Self.argmax(scores, row: i)] += 1
        }
    }

    /// The index of the largest score in row `i` (the first one on ties; NaN never wins).
    public static func argmax<T: Scalar>(_ scores: Matrix<T>, row i: Int) -> Int {
        var best = 0
        var bestValue = -T.infinity
        for j in 0..<scores.columns where scores[i, j] > bestValue {
            best = j
            bestValue = scores[i, j]
        }
        return best
    }

    /// Number of classes.
    public var classes: Int { counts.count }

    /// Number of samples counted.
    public var total: Int { counts.reduce(0) { $0 + $1.reduce(0, +) } }

    /// The fraction of samples on the diagonal (0 when empty).
    public var accuracy: Double {
        let n = total
        return n == 0 ? 0 : Double((0..<classes).reduce(0) { $0 + counts[$1][$1] }) / Double(n)
    }

    /// For each true class, the fraction predicted correctly (`nil` for a class with no samples).
    public var perClassAccuracy: [Double?] {
        counts.enumerated().map { t, row in
            let n = row.reduce(0, +)
            return n == 0 ? nil : Double(row[t]) / Double(n)
        }
    }
}
