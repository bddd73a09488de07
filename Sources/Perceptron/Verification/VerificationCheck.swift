import RealModule

/// One row of a verification report: what was compared, how far apart the two sides were, and
/// the largest relative error that passes.
public struct VerificationCheck: Sendable, Equatable, CustomStringConvertible {
    /// What was compared, e.g. `reference relu-ce-indices gradients` or `blas vs naive float32 mse`.
    public var name: String
    /// The errors measured (see ``Discrepancy``).
    public var discrepancy: Discrepancy
    /// The largest ``Discrepancy/maxRelativeError`` that passes.
    public var tolerance: Double

    /// A check named `name` with the given errors and tolerance.
    public init(name: String, discrepancy: Discrepancy, tolerance: Double) {
        self.name = name
        self.discrepancy = discrepancy
        self.tolerance = tolerance
    }

    /// Whether the relative error is within the tolerance (a NaN error fails).
    public var passed: Bool { discrepancy.maxRelativeError <= tolerance }

    /// `name: abs …, rel … (worst: …), tolerance …, pass|FAIL`.
    public var description: String {
        "\(name): \(discrepancy), tolerance \(VerificationCheck.scientific(tolerance)), \(passed ? "pass" : "FAIL")"
    }

    /// The checks as an aligned text table with the columns check, max abs error, max rel error,
    /// tolerance and result, one row per check, each line ending in a newline.
    public static func table(_ checks: [VerificationCheck]) -> String {
        let header = ["check", "max abs error", "max rel error", "tolerance", "result"]
        let rows = checks.map { check in
            [
                check.name, scientific(check.discrepancy.maxAbsoluteError),
                scientific(check.discrepancy.maxRelativeError), scientific(check.tolerance),
                check.passed ? "pass" : "FAIL",
            ]
        }
        var widths = header.map(\.count)
        for row in rows {
            for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) }
        }
        func line(_ cells: [String]) -> String {
            var text = ""
            for (i, cell) in cells.enumerated() {
                let padding = String(repeating: " ", count: widths[i] - cell.count)
                // The name column is left-aligned, the numbers right-aligned.
                text += i == 0 ? cell + padding : "  " + padding + cell
            }
            return text + "\n"
        }
        var text = line(header)
        text += line(widths.map { String(repeating: "-", count: $0) })
        for row in rows { text += line(row) }
        return text
    }

    /// `x` in scientific notation with two decimals (`1.23e-15`), `0`, `inf` or `nan`.
    static func scientific(_ x: Double) -> String {
        if x == 0 { return "0" }
        if x.isNaN { return "nan" }
        if x.isInfinite { return x > 0 ? "inf" : "-inf" }
        var exponent = Int(Double.log10(abs(x)).rounded(.down))
        var mantissa = x / Double.pow(10, exponent)
        // Round to two decimals; carrying 9.995 → 10.00 moves to the next exponent.
        mantissa = (mantissa * 100).rounded() / 100
        if abs(mantissa) >= 10 {
            mantissa /= 10
            exponent += 1
        }
        let sign = mantissa < 0 ? "-" : ""
        let hundredths = Int((abs(mantissa) * 100).rounded())
        let fraction = hundredths % 100
        return "\(sign)\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)e\(exponent < 0 ? "-" : "+")\(abs(exponent) < 10 ? "0" : "")\(abs(exponent))"
    }
}
