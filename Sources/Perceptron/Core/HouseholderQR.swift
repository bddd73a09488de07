/// The QR factorisation `A = Q·R` of a row-major `m × n` matrix (`m ≥ n`) by Householder
/// reflections, in plain Swift.
///
/// `Q = H_0·H_1···H_{n−1}` with `H_j = I − τ_j·v_j·v_jᵀ`, `v_j = (0, …, 0, 1, v_{j+1}, …, v_{m−1})`.
/// This is the fallback for `?geqrf`, `?orgqr` and `?gels` in builds without the `OpenBLAS`
/// trait; it stores its factors the way `?geqrf` does (`R` on and above the diagonal, the `v_j`
/// below it). Init-time work only: it is unblocked and allocates.
struct HouseholderQR<T: Scalar> {
    /// `m`.
    let rows: Int
    /// `n ≤ m`.
    let columns: Int
    /// `R` on and above the diagonal; below the diagonal of column `j`, the tail of `v_j`.
    private(set) var factors: [T]
    /// `τ_j` for each reflector (`0` when `H_j = I`).
    private(set) var tau: [T]

    /// Factors the `rows × columns` row-major `a`; `rows ≥ columns`.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    init(factoring a: [T], rows m: Int, columns n: Int) {
        precondition(m >= n && n >= 0 && a.count == m * n, "HouseholderQR needs a tall m × n matrix")
        rows = m
        columns = n
        factors = a
        tau = [T](repeating: 0, count: n)
        for j in 0..<n {
            // Choose H_j so that H_j·x = (β, 0, …, 0)ᵀ for x = A[j..<m, j], as ?larfg does:
            // β = −sign(α)·‖x‖ (no cancellation in α − β), τ = (β − α)/β, v = x/(α − β), v_j = 1.
            let alpha = factors[j * n + j]
            var scale: T = 0
            for i in j + 1..<m { scale = max(scale, abs(factors[i * n + j])) }
            if scale == 0 { continue }  // x is already (α, 0, …, 0): H_j = I, τ_j = 0.
            scale = max(scale, abs(alpha))
            // ‖x‖ computed on x/scale so that squaring neither overflows nor underflows.
            var sumOfSquares: T = 0
            for i in j..<m { sumOfSquares += (factors[i * n + j] / scale) * (factors[i * n + j] / scale) }
            let norm = scale * sumOfSquares.squareRoot()
            let beta = alpha >= 0 ? -norm : norm
            tau[j] = (beta - alpha) / beta
            let reciprocal = 1 / (alpha - beta)
            for i in j + 1..<m { factors[i * n + j] *= reciprocal }
            factors[j * n + j] = beta
            // Apply H_j to the remaining columns: A ← A − τ·v·(vᵀ·A).
            for c in j + 1..<n {
                var w = factors[j * n + c]
                for i in j + 1..<m { w += factors[i * n + j] * factors[i * n + c] }
                w *= tau[j]
                factors[j * n + c] -= w
                for i in j + 1..<m { factors[i * n + c] -= w * factors[i * n + j] }
            }
        }
    }

    /// `R[i, i]` for `i` in `0..<n`.
    var diagonalOfR: [T] { (0..<columns).map { factors[$0 * columns + $0] } }

    /// The first `n` columns of `Q` (`m × n`, orthonormal columns): `Q·[I_n; 0]`.
    var thinQ: [T] {
        var q = [T](repeating: 0, count: rows * columns)
        for i in 0..<columns { q[i * columns + i] = 1 }
        applyQ(to: &q, columns: columns)
        return q
    }

    /// `B ← Qᵀ·B = H_{n−1}···H_0·B` for a row-major `m × p` matrix `B`.
    func applyQTranspose(to b: inout [T], columns p: Int) {
        for j in 0..<columns { applyReflector(j, to: &b, columns: p) }
    }

    /// `B ← Q·B = H_0···H_{n−1}·B` for a row-major `m × p` matrix `B`.
    func applyQ(to b: inout [T], columns p: Int) {
        for j in (0..<columns).reversed() { applyReflector(j, to: &b, columns: p) }
    }

    /// `B ← H_j·B = B − τ_j·v_j·(v_jᵀ·B)`.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    private func applyReflector(_ j: Int, to b: inout [T], columns p: Int) {
        if tau[j] == 0 { return }
        let n = columns
        var w = Array(b[j * p..<(j + 1) * p])  // vᵀ·B, with v_j = 1
        for i in j + 1..<rows {
            for c in 0..<p { w[c] += factors[i * n + j] * b[i * p + c] }
        }
        for c in 0..<p {
            w[c] *= tau[j]
            b[j * p + c] -= w[c]
        }
        for i in j + 1..<rows {
            for c in 0..<p { b[i * p + c] -= w[c] * factors[i * n + j] }
        }
    }

    /// `X = R⁻¹·(Qᵀ·B)[0..<n]`, the solution of `min ‖A·X − B‖₂` for the `m × p` matrix `B`
    /// (`n × p`), as `?gels` computes it.
    /// - Throws: ``LAPACKError`` (`info = i + 1`, named after `?gels`) if `R[i, i]` is zero.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    func leastSquaresSolution(_ b: [T], columns p: Int) throws(LAPACKError) -> [T] {
        var y = b
        applyQTranspose(to: &y, columns: p)
        let n = columns
        try checkDiagonal()
        // Back substitution R·X = y[0..<n]: rows from the bottom up.
        var x = [T](repeating: 0, count: n * p)
        for i in (0..<n).reversed() {
            for c in 0..<p {
                var s = y[i * p + c]
                for k in i + 1..<n { s -= factors[i * n + k] * x[k * p + c] }
                x[i * p + c] = s / factors[i * n + i]
            }
        }
        return x
    }

    /// The minimum-norm solution of `Aᵀ·X = B` for this factorisation of `A` (`Aᵀ` is `n × m`,
    /// `B` is `n × p`, `X` is `m × p`), as `?gels` computes it for a wide matrix.
    ///
    /// With `A = Q·R`, `Aᵀ·X = Rᵀ·(Qᵀ·X) = B`: solve `Rᵀ·z = B`, then `X = Q·[z; 0]`, which has
    /// no component in the null space of `Aᵀ`.
    /// - Throws: ``LAPACKError`` (`info = i + 1`, named after `?gels`) if `R[i, i]` is zero.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    func minimumNormSolutionOfTranspose(_ b: [T], columns p: Int) throws(LAPACKError) -> [T] {
        let n = columns
        try checkDiagonal()
        // Forward substitution Rᵀ·z = B (Rᵀ is lower triangular): rows from the top down.
        var x = [T](repeating: 0, count: rows * p)
        for i in 0..<n {
            for c in 0..<p {
                var s = b[i * p + c]
                for k in 0..<i { s -= factors[k * n + i] * x[k * p + c] }
                x[i * p + c] = s / factors[i * n + i]
            }
        }
        applyQ(to: &x, columns: p)
        return x
    }

    /// Throws as `?gels` does when a diagonal element of `R` is exactly zero.
    private func checkDiagonal() throws(LAPACKError) {
        if let i = diagonalOfR.firstIndex(of: 0) {
            throw .rankDeficient(routine: LAPACK.name("gels", T.self), info: i + 1)
        }
    }
}
