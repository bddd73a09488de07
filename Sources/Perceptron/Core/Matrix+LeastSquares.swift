extension Matrix {
    /// The least-squares solution `X` of `A·X ≈ B`, with `A = self`.
    ///
    /// For `m ≥ n` (overdetermined), `X` minimises `‖A·X − B‖₂` column by column; for `m < n`
    /// (underdetermined), `X` is the solution of `A·X = B` with the smallest `‖X‖₂`.
    /// Shapes: `A` `[m, n]`, `B` `[m, p]` → `X` `[n, p]`. `A` must have full rank `min(m, n)`.
    ///
    /// Calls `LAPACKE_?gels` (QR factorisation of `A`, or of `Aᵀ` when `m < n`); without the
    /// `OpenBLAS` trait, a pure-Swift Householder QR computes the same `X` up to rounding and
    /// reports failures as `?gels` would.
    /// - Throws: ``LeastSquaresError/shape(_:)`` if `B` does not have `m` rows;
    ///   ``LeastSquaresError/solver(_:)`` if `A` is rank-deficient (a zero diagonal element of
    ///   `R`) or an operand contains NaN.
    public func leastSquares(_ b: Matrix<T>) throws(LeastSquaresError) -> Matrix<T> {
        let (m, n, p) = (rows, columns, b.columns)
        guard b.rows == m else {
            throw .shape(
                ShapeError(
                    operation: "leastSquares", shapes: [.init("A", shape), .init("B", b.shape)],
                    reason: "B must have as many rows as A (\(m))"))
        }
        // No equations or no unknowns: X = 0 is the minimum-norm solution.
        if m == 0 || n == 0 || p == 0 { return Matrix(rows: n, columns: p) }
        do throws(LAPACKError) {
            // OpenBLAS's kernels are judged (and a fallback switched) before its first call.
            _ = OpenBLASKernel.useBestAvailableCore()
            if LAPACK.isAvailable {
                return try gelsSolution(b)
            } else {
                return try householderSolution(b)
            }
        } catch {
            throw .solver(error)
        }
    }

    /// `X` by `LAPACKE_?gels`: `B` goes into a `max(m, n) × p` buffer that returns `X` in its
    /// first `n` rows.
    private func gelsSolution(_ b: Matrix<T>) throws(LAPACKError) -> Matrix<T> {
        let (m, n, p) = (rows, columns, b.columns)
        var a = elements
        var work = b.elements
        if n > m { work.append(contentsOf: repeatElement(0, count: (n - m) * p)) }
        try a.withUnsafeMutableBufferPointer { (pa) throws(LAPACKError) in
            try work.withUnsafeMutableBufferPointer { (pb) throws(LAPACKError) in
                try LAPACK.gels(m: m, n: n, nrhs: p, a: pa, lda: n, b: pb, ldb: p)
            }
        }
        return Matrix(rows: n, columns: p, uncheckedElements: Array(work[0..<n * p]))
    }

    /// `X` by ``HouseholderQR``: `A = Q·R` when `m ≥ n`, `Aᵀ = Q·R` when `m < n`.
    private func householderSolution(_ b: Matrix<T>) throws(LAPACKError) -> Matrix<T> {
        let (m, n, p) = (rows, columns, b.columns)
        // LAPACKE rejects NaN input with info = −(argument index); do the same.
        let routine = LAPACK.name("gels", T.self)
        if elements.contains(where: \.isNaN) {
            throw .illegalArgument(routine: routine, info: -6, argumentNames: LAPACK.gelsArgumentNames)
        }
        if b.elements.contains(where: \.isNaN) {
            throw .illegalArgument(routine: routine, info: -8, argumentNames: LAPACK.gelsArgumentNames)
        }
        let x =
            if m >= n {
                try HouseholderQR(factoring: elements, rows: m, columns: n)
                    .leastSquaresSolution(b.elements, columns: p)
            } else {
                try HouseholderQR(factoring: transposed().elements, rows: n, columns: m)
                    .minimumNormSolutionOfTranspose(b.elements, columns: p)
            }
        return Matrix(rows: n, columns: p, uncheckedElements: x)
    }
}
