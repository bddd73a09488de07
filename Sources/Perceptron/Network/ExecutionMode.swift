/// How a network runs, as PyTorch's `model.train()` and `model.eval()` set it: only dropout and
/// batch normalisation behave differently.
public enum ExecutionMode: Sendable, Equatable {
    /// Dropout draws masks; batch normalisation uses the batch's statistics and updates its
    /// running statistics.
    case training
    /// Dropout is the identity; batch normalisation uses its running statistics.
    case evaluation
}
