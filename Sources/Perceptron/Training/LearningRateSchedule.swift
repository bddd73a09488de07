/// The learning rate of each epoch, set on the optimizer before the epoch starts (PyTorch's
/// schedulers stepped once per epoch). Epochs count from 0 here.
public enum LearningRateSchedule: Sendable, Equatable {
    /// `lr_e = lr₀`.
    case constant
    /// `StepLR(step_size: every, gamma:)`: `lr_e = lr₀·γ^⌊e / every⌋`.
    case step(every: Int, gamma: Double)
    /// `CosineAnnealingLR(T_max: epochs, eta_min: 0)`: `lr_e = lr₀·(1 + cos(π·e / E))/2`.
    case cosine

    /// The learning rate of epoch `epoch` (from 0) of `epochs`, starting from `base`.
    public func learningRate(base: Double, epoch: Int, epochs: Int) -> Double {
        switch self {
        case .constant:
            return base
        case .step(let every, let gamma):
            return base * Double.pow(gamma, Double(epoch / max(every, 1)))
        case .cosine:
            guard epochs > 0 else { return base }
            return base * (1 + Double.cos(Double.pi * Double(epoch) / Double(epochs))) / 2
        }
    }
}
