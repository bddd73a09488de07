/// A network and the loss it was trained with, as a model file stores them.
public struct SavedModel<T: Scalar>: Sendable {
    /// The layers and parameters.
    public var network: Network<T>
    /// The loss named by `perceptron.loss` (``Loss/crossEntropy`` when the file names none).
    public var loss: Loss

    /// Pairs a network with its loss.
    public init(network: Network<T>, loss: Loss) {
        self.network = network
        self.loss = loss
    }
}
