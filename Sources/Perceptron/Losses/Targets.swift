/// What a loss compares the network's output with, one entry or row per sample.
public enum Targets<T: Scalar>: Sendable {
    /// Class indices in `0..<classes` (`[batch]`), for ``Loss/crossEntropy`` and
    /// ``Loss/categoricalCrossEntropy``.
    case classes([Int])
    /// Probability rows `[batch, classes]` (soft or one-hot labels), for the cross-entropies.
    case probabilities(Matrix<T>)
    /// Target values `[batch, outputs]`, for ``Loss/mse`` and ``Loss/bce`` (in `[0, 1]` for bce).
    case values(Matrix<T>)

    /// The number of samples.
    public var count: Int {
        switch self {
        case .classes(let c): c.count
        case .probabilities(let m), .values(let m): m.rows
        }
    }

    /// The targets of the samples `indices`, in that order (a shuffled batch). Traps, like an
    /// `Array` subscript, if an index is not a sample.
    public func gathered(_ indices: some Collection<Int>) -> Targets {
        switch self {
        case .classes(let c): return .classes(indices.map { c[$0] })
        case .probabilities(let m): return .probabilities(m.gatheredRows(indices))
        case .values(let m): return .values(m.gatheredRows(indices))
        }
    }
}

extension Matrix {
    /// The rows `indices`, in that order, as a new matrix.
    func gatheredRows(_ indices: some Collection<Int>) -> Matrix {
        // The copy below reads through unchecked pointers: check the indices once, up front.
        precondition(indices.allSatisfy { $0 >= 0 && $0 < rows }, "Matrix.gatheredRows: row index out of range")
        var result = Matrix(rows: indices.count, columns: columns)
        result.withUnsafeMutableBufferPointer { out in
            withUnsafeBufferPointer { source in
                for (r, i) in indices.enumerated() {
                    for j in 0..<columns { out[r * columns + j] = source[i * columns + j] }
                }
            }
        }
        return result
    }
}

/// A batch of targets as buffers: what the loss kernels read. No allocation.
enum TargetView<T: Scalar> {
    case classes(UnsafeBufferPointer<Int>)
    case rows(UnsafeBufferPointer<T>, isProbability: Bool)
}
