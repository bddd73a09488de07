/// A shape mismatch at a public entry point: the operation and every shape involved.
public struct ShapeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The operation that was called, e.g. `"gemm"` or `"Dense.forward"`.
    public var operation: String
    /// The operands' names and shapes as `[rows, columns]`, in argument order.
    public var shapes: [Operand]
    /// What the shapes violate, e.g. `"inner dimensions differ (4 vs 5)"`.
    public var reason: String

    /// A named operand shape.
    public struct Operand: Sendable, Equatable {
        /// The operand's name in the operation's documentation (`"A"`, `"input"`).
        public var name: String
        /// The operand's dimensions.
        public var dimensions: [Int]

        /// Creates a named operand shape.
        public init(_ name: String, _ dimensions: [Int]) {
            self.name = name
            self.dimensions = dimensions
        }
    }

    /// Creates a shape error.
    public init(operation: String, shapes: [Operand], reason: String) {
        self.operation = operation
        self.shapes = shapes
        self.reason = reason
    }

    /// One line: `gemm: A [3, 4], B [5, 2]: inner dimensions differ (4 vs 5)`.
    public var description: String {
        let operands = shapes.map { "\($0.name) \($0.dimensions)" }.joined(separator: ", ")
        return "\(operation): \(operands): \(reason)"
    }
}
