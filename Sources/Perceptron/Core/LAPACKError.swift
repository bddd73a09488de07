/// A LAPACK routine (or its pure-Swift fallback) reported failure through `info`.
///
/// `info < 0`: argument `−info` had an illegal value (LAPACKE also reports a NaN in a matrix
/// argument this way). `info > 0`: a routine-specific numerical failure, e.g. a zero diagonal
/// element of `R` in `?gels` (the matrix is rank-deficient).
public struct LAPACKError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The routine that failed, e.g. `"sgels"` or `"dgeqrf"`.
    public var routine: String
    /// LAPACK's `info` code: negative for an illegal argument, positive for a numerical failure.
    public var info: Int
    /// What `info` means for this routine, e.g. `"argument 6 (A) had an illegal value"`.
    public var meaning: String

    /// Creates a LAPACK error.
    public init(routine: String, info: Int, meaning: String) {
        self.routine = routine
        self.info = info
        self.meaning = meaning
    }

    /// One line: `LAPACK sgels failed (info 2): the 2nd diagonal element of R is zero, A is rank-deficient`.
    public var description: String {
        "LAPACK \(routine) failed (info \(info)): \(meaning)"
    }

    /// The error for a negative `info`: argument `−info` (counted from 1, as in the C
    /// signature) had an illegal value. `argumentNames[i]` names argument `i + 1`.
    static func illegalArgument(routine: String, info: Int, argumentNames: [String]) -> LAPACKError {
        let index = -info
        let name = argumentNames.indices.contains(index - 1) ? " (\(argumentNames[index - 1]))" : ""
        return LAPACKError(
            routine: routine, info: info,
            meaning: "argument \(index)\(name) had an illegal value (a NaN in a matrix argument is reported this way)")
    }

    /// The error for `?gels` with `info > 0`: `R[info − 1, info − 1]` is exactly zero.
    static func rankDeficient(routine: String, info: Int) -> LAPACKError {
        LAPACKError(
            routine: routine, info: info,
            meaning: "the \(ordinal(info)) diagonal element of R is zero, A is rank-deficient: no least-squares solution computed")
    }

    /// The error LAPACKE returns when it cannot allocate its workspace or a transposed copy.
    static func outOfMemory(routine: String, info: Int) -> LAPACKError {
        LAPACKError(routine: routine, info: info, meaning: "LAPACKE could not allocate its workspace (out of memory)")
    }

    private static func ordinal(_ n: Int) -> String {
        let suffix =
            switch (n % 10, n % 100) {
            case (_, 11...13): "th"
            case (1, _): "st"
            case (2, _): "nd"
            case (3, _): "rd"
            default: "th"
            }
        return "\(n)\(suffix)"
    }
}
