import RealModule

/// A seedable xoshiro256** generator: the same seed gives the same sequence on every machine.
///
/// The 256-bit state is filled from the seed by SplitMix64, as the xoshiro authors recommend,
/// so nearby seeds give unrelated streams.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var s0, s1, s2, s3: UInt64

    /// A generator whose stream is determined by `seed`.
    public init(seed: UInt64) {
        var x = seed
        func splitMix64() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = splitMix64()
        s1 = splitMix64()
        s2 = splitMix64()
        s3 = splitMix64()
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = s3 << 45 | s3 >> 19
        return result
    }

    /// A uniform sample from `[0, 1)` with 53 random bits.
    public mutating func nextUnit() -> Double {
        Double(next() >> 11) * 0x1p-53
    }

    /// A uniform sample from `[lower, upper)` (`lower` when the interval is empty).
    ///
    /// Uses as many random bits as `T` has significand bits (24 for `Float`, 53 for `Double`),
    /// so the unit sample `u` is exact in `T` and below 1; the result is `lower + (upper − lower)·u`.
    public mutating func uniform<T: Scalar>(_ lower: T, _ upper: T) -> T {
        let x = lower + (upper - lower) * Self.unitSample(next(), as: T.self)
        // The affine map rounds and can land on `upper`; keep the interval half-open.
        return x < upper ? x : max(lower, upper.nextDown)
    }

    /// The top `p` bits of `bits` as a fraction in `[0, 1)`, `p` = `T`'s significand precision:
    /// exact in `T`, at most `1 − 2⁻ᵖ`. (A 53-bit fraction converted to `Float` could round to 1.)
    static func unitSample<T: Scalar>(_ bits: UInt64, as _: T.Type) -> T {
        let precision = T.significandBitCount + 1
        return T(bits >> UInt64(64 - precision)) / T(UInt64(1) << UInt64(precision))
    }

    /// A normal sample N(mean, standardDeviation²) by the Box–Muller transform, computed in
    /// `Double`: `z = √(−2·ln u₁)·cos(2π·u₂)` with `u₁` in `(0, 1]`, `u₂` in `[0, 1)`.
    /// Consumes two 64-bit outputs per sample.
    public mutating func gaussian<T: Scalar>(mean: T = 0, standardDeviation: T = 1) -> T {
        // u1 in (0, 1] so that log(u1) is finite.
        let u1 = 1 - nextUnit()
        let u2 = nextUnit()
        let z = (-2 * Double.log(u1)).squareRoot() * Double.cos(2 * Double.pi * u2)
        return mean + standardDeviation * T(z)
    }

    /// A `rows × columns` matrix of uniform samples from `[lower, upper)`.
    public mutating func uniformMatrix<T: Scalar>(rows: Int, columns: Int, in lower: T, _ upper: T) -> Matrix<T> {
        Matrix(rows: rows, columns: columns) { _, _ in uniform(lower, upper) }
    }

    /// A `rows × columns` matrix of normal samples.
    public mutating func gaussianMatrix<T: Scalar>(
        rows: Int, columns: Int, mean: T = 0, standardDeviation: T = 1
    ) -> Matrix<T> {
        Matrix(rows: rows, columns: columns) { _, _ in gaussian(mean: mean, standardDeviation: standardDeviation) }
    }
}
