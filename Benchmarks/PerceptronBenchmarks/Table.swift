/// A plain-text table: a header row, a rule, then rows; numbers right-aligned.
struct Table {
    var title: String
    var headers: [String]
    var rows: [[String]] = []

    mutating func add(_ row: [String]) { rows.append(row) }

    func render() -> String {
        var widths = headers.map(\.count)
        for r in rows {
            for (i, cell) in r.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) }
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, c in
                let pad = String(repeating: " ", count: widths[i] - c.count)
                return i == 0 ? c + pad : pad + c
            }.joined(separator: "  ")
        }
        var out = "\n" + title + "\n" + line(headers) + "\n"
        out += widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ") + "\n"
        for r in rows { out += line(r) + "\n" }
        return out
    }
}

/// `value` with `digits` decimals (no Foundation formatting needed).
func fixed(_ value: Double, _ digits: Int) -> String {
    guard value.isFinite else { return "\(value)" }
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let rounded = (abs(value) * scale).rounded() / scale
    let sign = value < 0 && rounded != 0 ? "-" : ""
    var s = String(Int(rounded))
    if digits > 0 {
        let fraction = Int(((rounded - rounded.rounded(.down)) * scale).rounded())
        var f = String(fraction)
        while f.count < digits { f = "0" + f }
        s += "." + f
    }
    return sign + s
}

/// A figure with about three significant digits: 1234, 123, 12.3, 1.23, 0.123.
func significant(_ value: Double) -> String {
    let a = abs(value)
    if a >= 100 { return fixed(value, 0) }
    if a >= 10 { return fixed(value, 1) }
    if a >= 1 { return fixed(value, 2) }
    return fixed(value, 3)
}

/// `median (min–max)`, each with about three significant digits.
func medianRange(_ median: Double, _ low: Double, _ high: Double) -> String {
    "\(significant(median)) (\(significant(low))–\(significant(high)))"
}
