/// Gradient clipping by the global norm.
extension Network {
    /// Scales every gradient of the last backward pass by `min(1, maxNorm / (‖g‖₂ + 1e-6))`,
    /// `‖g‖₂ = √(Σ g²)` over every parameter together, as
    /// `torch.nn.utils.clip_grad_norm_(parameters, maxNorm)` does; returns `‖g‖₂` before
    /// clipping. Allocates nothing.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    @discardableResult
    public mutating func clipGradientNorm(to maxNorm: T) -> T {
        gradientStorage.withUnsafeMutableBufferPointer { g in
            // Σ g² in Double: a Float sum over 10⁵–10⁶ squares would keep only ~4 digits.
            var sum = 0.0
            for x in g {
                let d = Double(x)
                sum += d * d
            }
            let norm = sum.squareRoot()
            let coefficient = Double(maxNorm) / (norm + 1e-6)
            // torch multiplies by the coefficient clamped to 1; multiplying by 1 changes nothing.
            if coefficient < 1 {
                let c = T(coefficient)
                for i in g.indices { g[i] *= c }
            }
            return T(norm)
        }
    }
}
