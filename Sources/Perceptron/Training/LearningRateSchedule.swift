/// The learning rate of each epoch, set on the optimizer before the epoch starts (PyTorch's
/// schedulers stepped once per epoch). Epochs count from 0 here.
public enum LearningRateSchedule: Sendable, Equatable {
    /// `lr_e = lr₀`.
    case constant
    /// `StepLR(step_size: every, gamma:)`: `lr_e = lr₀·γ^⌊e / every⌋`.
    case step(every: Int, gamma: Double)
    /// `CosineAnnealingLR(T_max: epochs, eta_min: 0)`: `lr_e = lr₀·(1 + cos(π·e / E))/2`.
    case cosine
    /// `ReduceLROnPlateau(mode: "min", factor:, patience:, threshold:, threshold_mode: "rel",
    /// cooldown: 0, min_lr: 0)` stepped with the validation loss after each epoch: an epoch is
    /// an improvement when its loss `v < best·(1 − threshold)` (then `best ← v`); after more than
    /// `patience` epochs in a row without one, `lr ← lr·factor` (kept unless it drops by more
    /// than PyTorch's `eps` 1e-8) and the count restarts. Needs validation data.
    case plateau(factor: Double = 0.1, patience: Int = 10, threshold: Double = 1e-4)

    /// The learning rate of epoch `epoch` (from 0) of `epochs`, starting from `base`;
    /// `validationLosses` are the validation losses of the epochs before it, in order (only
    /// ``plateau(factor:patience:threshold:)`` reads them: it replays them from `base`).
    public func learningRate(base: Double, epoch: Int, epochs: Int, validationLosses: [Double] = []) -> Double {
        switch self {
        case .constant:
            return base
        case .step(let every, let gamma):
            return base * Double.pow(gamma, Double(epoch / max(every, 1)))
        case .cosine:
            guard epochs > 0 else { return base }
            return base * (1 + Double.cos(Double.pi * Double(epoch) / Double(epochs))) / 2
        case .plateau(let factor, let patience, let threshold):
            var rate = base
            var best = Double.infinity
            var badEpochs = 0
            for loss in validationLosses.prefix(max(epoch, 0)) {
                // A NaN loss compares false: a bad epoch, as in PyTorch.
                if loss < best * (1 - threshold) {
                    best = loss
                    badEpochs = 0
                } else {
                    badEpochs += 1
                }
                if badEpochs > patience {
                    let reduced = max(rate * factor, 0)
                    if rate - reduced > 1e-8 { rate = reduced }
                    badEpochs = 0
                }
            }
            return rate
        }
    }

    /// Whether the rate depends on validation losses (``plateau(factor:patience:threshold:)``).
    public var needsValidation: Bool {
        if case .plateau = self { true } else { false }
    }
}
