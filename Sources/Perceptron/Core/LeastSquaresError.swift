/// ``Matrix/leastSquares(_:)`` failed: the operands' shapes disagree, or the solver failed.
public enum LeastSquaresError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `B` does not have as many rows as `A`.
    case shape(ShapeError)
    /// `?gels` (or its pure-Swift fallback) failed, e.g. because `A` is rank-deficient.
    case solver(LAPACKError)

    /// The underlying error's one-line description.
    public var description: String {
        switch self {
        case .shape(let error): error.description
        case .solver(let error): error.description
        }
    }
}
