import Perceptron

/// A subcommand that runs on a saved model in whichever precision the file holds.
protocol SavedModelCommand {
    /// The model file the command reads.
    var model: String { get }
    /// Where the command computes.
    var compute: BackendOptions { get }
    /// The command's work, once the model is open (its backend already set).
    func run<T: Scalar>(_ network: Network<T>, loss: Loss) throws
}

extension SavedModelCommand {
    /// Opens ``model`` on the chosen backend and calls ``run(_:loss:)`` in its precision.
    func runOnSavedModel() throws {
        let backend = try compute.make()
        let path = model
        let saved = try naming(path) { try ModelFile.read(from: path, backend: backend) }
        switch saved {
        case .float32(let s): try run(s.network, loss: s.loss)
        case .float64(let s): try run(s.network, loss: s.loss)
        }
    }
}
