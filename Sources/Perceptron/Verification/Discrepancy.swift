/// How far computed values are from expected ones, as the verification checks measure it.
///
/// For one tensor `a` (computed) against `b` (expected):
/// `absolute = max_i |a_i − b_i|`, `relative = max_i |a_i − b_i| / max(‖b‖_∞, floor)`, a
/// norm-wise relative error with `floor` the smallest normal number of the expected values' type.
///
/// Norm-wise rather than element-wise because the rounding error of every operation here
/// (dot products, sums, the optimizers' elementwise updates) is bounded relative to the
/// magnitude of the terms involved, that is the scale of the tensor, not of each element:
/// an element that is zero (a dead ReLU unit, a saturated softmax) or the result of
/// cancellation (`ŷ − t` where `ŷ ≈ t`) can carry an element-wise relative error of any size
/// while the computation is correct to the last bit of the tensor's scale. The floor only
/// matters when every expected value is zero. A NaN or infinity where the other side is
/// finite (or a different non-finite value) gives infinite errors, so it always fails.
public struct Discrepancy: Sendable, Equatable, CustomStringConvertible {
    /// `max |a − b|` over all elements compared.
    public var maxAbsoluteError: Double
    /// The largest norm-wise relative error of the tensors compared (see the type's formula).
    public var maxRelativeError: Double
    /// The name of the tensor with the largest relative error, when known.
    public var worst: String?

    /// No error: the identity of ``merged(with:)``.
    public static let zero = Discrepancy(maxAbsoluteError: 0, maxRelativeError: 0, worst: nil)

    /// A discrepancy with the given errors.
    public init(maxAbsoluteError: Double, maxRelativeError: Double, worst: String? = nil) {
        self.maxAbsoluteError = maxAbsoluteError
        self.maxRelativeError = maxRelativeError
        self.worst = worst
    }

    /// The errors of `actual` against `expected` (same count, same order), named `name`.
    /// - Precondition: `actual.count == expected.count` (callers check shapes first).
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public init<T: Scalar>(actual: [T], expected: [T], name: String? = nil) {
        precondition(actual.count == expected.count, "Discrepancy: element counts differ")
        var absolute = 0.0
        var scale = 0.0
        for i in expected.indices {
            let a = Double(actual[i])
            let b = Double(expected[i])
            let d: Double
            if a.isFinite && b.isFinite {
                d = abs(a - b)
            } else {
                // Equal infinities count as agreement; anything else non-finite is a failure.
                d = (a == b) ? 0 : .infinity
            }
            if d > absolute { absolute = d }
            if b.isFinite, abs(b) > scale { scale = abs(b) }
        }
        let floor = Double(T.leastNormalMagnitude)
        self.init(maxAbsoluteError: absolute, maxRelativeError: absolute / max(scale, floor), worst: name)
    }

    /// The larger of both errors; ``worst`` follows the larger relative error.
    public func merged(with other: Discrepancy) -> Discrepancy {
        Discrepancy(
            maxAbsoluteError: max(maxAbsoluteError, other.maxAbsoluteError),
            maxRelativeError: max(maxRelativeError, other.maxRelativeError),
            worst: other.maxRelativeError > maxRelativeError ? other.worst : (worst ?? other.worst))
    }

    /// `abs 1.2e-15, rel 3.4e-16 (worst: 2.weight)`.
    public var description: String {
        let location = worst.map { " (worst: \($0))" } ?? ""
        return "abs \(VerificationCheck.scientific(maxAbsoluteError)), rel \(VerificationCheck.scientific(maxRelativeError))\(location)"
    }
}
