/// The normalisation an MLP built by ``Network/init(sizes:activation:normalization:dropout:initializer:using:backend:)``
/// puts after each hidden linear layer, before its activation. Raw values are the CLI's
/// `--normalization` values.
public enum Normalization: String, CaseIterable, Sendable {
    /// None.
    case none
    /// `nn.LayerNorm(width)` (``LayerNorm``).
    case layer
    /// `nn.BatchNorm1d(width)` (``BatchNorm``).
    case batch
}
