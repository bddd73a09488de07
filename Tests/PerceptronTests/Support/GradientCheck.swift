@testable import Perceptron

/// Central finite differences: `∂f/∂x_i ≈ (f(x + h·e_i) − f(x − h·e_i)) / 2h`, truncation error
/// O(h²·f''') and rounding error O(ε·|f|/h); with `h = 1e-6` in Double both are far below 1e-6.
func numericGradient(_ x: [Double], h: Double = 1e-6, _ f: ([Double]) -> Double) -> [Double] {
    var x = x
    var result = [Double](repeating: 0, count: x.count)
    for i in x.indices {
        let saved = x[i]
        x[i] = saved + h
        let plus = f(x)
        x[i] = saved - h
        let minus = f(x)
        x[i] = saved
        result[i] = (plus - minus) / (2 * h)
    }
    return result
}

/// Norm-wise relative error `‖a − b‖ / max(‖a‖, ‖b‖, 1e-12)` (the floor keeps an all-zero
/// gradient comparable).
func relativeError(_ a: [Double], _ b: [Double]) -> Double {
    precondition(a.count == b.count)
    var diff = 0.0
    var na = 0.0
    var nb = 0.0
    for i in a.indices {
        diff += (a[i] - b[i]) * (a[i] - b[i])
        na += a[i] * a[i]
        nb += b[i] * b[i]
    }
    return diff.squareRoot() / max(na.squareRoot(), nb.squareRoot(), 1e-12)
}

/// The largest `|a_i − b_i| / max(|a_i|, |b_i|, floor)`.
func maxRelativeDifference<T: Scalar>(_ a: [T], _ b: [T], floor: T = 1) -> T {
    precondition(a.count == b.count)
    var worst: T = 0
    for i in a.indices {
        worst = max(worst, abs(a[i] - b[i]) / max(abs(a[i]), abs(b[i]), floor))
    }
    return worst
}

/// A seeded matrix with elements uniform in `[lower, upper)`.
func randomMatrix<T: Scalar>(_ rows: Int, _ columns: Int, seed: UInt64, in lower: T = -1, _ upper: T = 1) -> Matrix<T> {
    var g = SeededGenerator(seed: seed)
    return g.uniformMatrix(rows: rows, columns: columns, in: lower, upper)
}

/// Seeded probability rows (positive, each summing to 1).
func randomProbabilities(_ rows: Int, _ columns: Int, seed: UInt64) -> Matrix<Double> {
    var g = SeededGenerator(seed: seed)
    var m = Matrix<Double>(rows: rows, columns: columns)
    for i in 0..<rows {
        let raw = (0..<columns).map { _ in g.uniform(0.1, 1.0) }
        let sum = raw.reduce(0, +)
        for j in 0..<columns { m[i, j] = raw[j] / sum }
    }
    return m
}
