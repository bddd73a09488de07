import ArgumentParser
import Perceptron

// The library's enumerations as command-line values.

extension Activation: ExpressibleByArgument {
    /// A kind with optional arguments, as in a model file: `relu`, `leaky_relu(0.1)`, `elu`.
    public init?(argument: String) {
        guard let spec = try? ModuleSpec(parsing: argument),
            let activation = try? Activation(kind: spec.kind, arguments: spec.arguments)
        else { return nil }
        self = activation
    }

    public var defaultValueDescription: String { Layer<Double>.activation(self).spec.token }

    public static var allValueStrings: [String] { allCases.map(\.kind) }
}
extension Loss: ExpressibleByArgument {
    /// The loss named `argument`, without options.
    public init?(argument: String) { self.init(rawValue: argument) }

    /// The kinds' names.
    public static var allValueStrings: [String] { Kind.allCases.map(\.rawValue) }
}
extension Normalization: ExpressibleByArgument {}
extension Initializer: ExpressibleByArgument {}
extension Precision: ExpressibleByArgument {}
