extension Matrix {
    /// A random matrix with orthonormal columns (`rows ≥ columns`) or orthonormal rows
    /// (`rows < columns`), times `gain`: the orthogonal initialiser of Saxe et al., as
    /// `torch.nn.init.orthogonal_` computes it.
    ///
    /// `QᵀQ = gain²·I` (tall or square) or `Q·Qᵀ = gain²·I` (wide). Draws a `rows × columns`
    /// Gaussian matrix `G` from `generator`; for a wide shape works on `Gᵀ` and transposes back.
    /// From the QR factorisation `G = Q·R` it returns `gain·Q·diag(sign(diag R))`: fixing the
    /// signs makes the factorisation unique, so `Q` is uniformly (Haar) distributed.
    ///
    /// Calls `LAPACKE_?geqrf` and `LAPACKE_?orgqr`; without the `OpenBLAS` trait, a pure-Swift
    /// Householder QR computes the same `Q` up to rounding.
    /// - Throws: ``LAPACKError`` if a dimension is negative or LAPACK fails.
    public static func orthogonal(
        rows: Int, columns: Int, gain: T = 1, using generator: inout SeededGenerator
    ) throws(LAPACKError) -> Matrix<T> {
        let routine = LAPACK.name("geqrf", T.self)
        guard rows >= 0 else {
            throw LAPACKError(routine: routine, info: -2, meaning: "argument 2 (m) had an illegal value: rows = \(rows)")
        }
        guard columns >= 0 else {
            throw LAPACKError(routine: routine, info: -3, meaning: "argument 3 (n) had an illegal value: columns = \(columns)")
        }
        if rows == 0 || columns == 0 { return Matrix(rows: rows, columns: columns) }
        let g: Matrix<T> = generator.gaussianMatrix(rows: rows, columns: columns)
        let tall = rows >= columns ? g : g.transposed()
        var q = try tall.orthonormalFactorWithPositiveR()
        if gain != 1 {
            q.withUnsafeMutableBufferPointer { e in
                for i in e.indices { e[i] *= gain }
            }
        }
        return rows >= columns ? q : q.transposed()
    }

    /// `Q·diag(sign(diag R))` for the QR factorisation `self = Q·R` of a tall matrix: the unique
    /// `Q` whose `R` has a non-negative diagonal (`sign(0)` is taken as `+1`).
    func orthonormalFactorWithPositiveR() throws(LAPACKError) -> Matrix<T> {
        let (m, n) = (rows, columns)
        precondition(m >= n, "orthonormalFactorWithPositiveR needs a tall matrix")
        var q = self
        let diagonal: [T]
        // OpenBLAS's kernels are judged (and a fallback switched) before its first call.
        _ = OpenBLASKernel.useBestAvailableCore()
        if LAPACK.isAvailable {
            var tau = [T](repeating: 0, count: n)
            try q.withUnsafeMutableBufferPointer { (a) throws(LAPACKError) in
                try tau.withUnsafeMutableBufferPointer { (t) throws(LAPACKError) in
                    try LAPACK.geqrf(m: m, n: n, a: a, lda: n, tau: t)
                }
            }
            diagonal = (0..<n).map { q.elements[$0 * n + $0] }
            try q.withUnsafeMutableBufferPointer { (a) throws(LAPACKError) in
                try tau.withUnsafeBufferPointer { (t) throws(LAPACKError) in
                    try LAPACK.orgqr(m: m, n: n, k: n, a: a, lda: n, tau: t)
                }
            }
        } else {
            // In Double whatever T is: for Float this leaves only the final rounding, so Q is as
            // orthonormal as possible (‖QᵀQ − I‖∞ = 3e-7 at 784 × 256, against 1.2e-5 in Float
            // and 3.7e-6 from LAPACK's sgeqrf/sorgqr).
            let qr = HouseholderQR(factoring: elements.map(Double.init), rows: m, columns: n)
            diagonal = qr.diagonalOfR.map(T.init)
            q = Matrix(rows: m, columns: n, uncheckedElements: qr.thinQ.map(T.init))
        }
        q.withUnsafeMutableBufferPointer { e in
            for i in 0..<m {
                for j in 0..<n where diagonal[j] < 0 { e[i * n + j] = -e[i * n + j] }
            }
        }
        return q
    }
}
