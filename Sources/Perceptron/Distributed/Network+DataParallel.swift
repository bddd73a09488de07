/// The parts of data-parallel training that read the network's state.
extension Network {
    /// ``nonFiniteError(epoch:step:)`` agreed by every rank: each rank finds its own first
    /// non-finite quantity (its outputs are its own), and all ranks report the first over all
    /// ranks in the same order (parameters, then outputs, then gradients, then the loss, each in
    /// forward order), so every rank stops with the same error. Called by every rank on the
    /// same step (the decision to stop comes from allreduced values).
    func nonFiniteError(epoch: Int, step: Int, agreedBy parallel: DataParallelTraining<T>) -> TrainingError {
        guard parallel.isDistributed else { return nonFiniteError(epoch: epoch, step: step) }
        let kinds = ["parameters", "output", "gradient", "loss"]
        let modules = plan.modules.count
        let found = firstNonFinite() ?? (modules - 1, "loss")
        // One flag per (kind, module), in reporting order; the allreduced sum marks every rank's find.
        var flags = [Double](repeating: 0, count: kinds.count * modules)
        flags[(kinds.firstIndex(of: found.kind) ?? kinds.count - 1) * modules + found.module] = 1
        do {
            flags = try parallel.sum(flags)
        } catch {
            return error
        }
        guard let first = flags.firstIndex(where: { $0 > 0 }) else { return nonFiniteError(epoch: epoch, step: step) }
        return nonFiniteError(epoch: epoch, step: step, found: (first % modules, kinds[first / modules]))
    }
}
