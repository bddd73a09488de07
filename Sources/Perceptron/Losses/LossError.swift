/// A loss option out of range.
public enum LossError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Label smoothing or class weights were given for a loss other than cross-entropy.
    case optionNeedsCrossEntropy(kind: String)
    /// Label smoothing outside `[0, 1]` (or NaN).
    case labelSmoothingOutOfRange(Double)
    /// A class weight that is negative or not finite; `index` is its class.
    case invalidClassWeight(index: Int, value: Double)

    /// One line naming the option and the value.
    public var description: String {
        switch self {
        case .optionNeedsCrossEntropy(let kind):
            "label smoothing and class weights apply to cross-entropy only, not \(kind)"
        case .labelSmoothingOutOfRange(let value):
            "label smoothing must be in [0, 1] (got \(value))"
        case .invalidClassWeight(let index, let value):
            "class weight \(index) must be a finite number ≥ 0 (got \(value))"
        }
    }
}
