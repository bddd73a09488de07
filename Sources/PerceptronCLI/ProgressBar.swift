#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A training progress bar on standard error.
///
/// On a terminal it redraws one line in place (`\r`); when standard error is a file or a pipe
/// it prints a plain line at every tenth of the epoch, so logs stay readable.
struct ProgressBar {
    private let interactive = isatty(STDERR_FILENO) != 0
    private let width = 30
    private var lastDecile = -1

    /// Shows `step` of `total` batches in `epoch` of `epochs`, with the running loss.
    mutating func update(epoch: Int, epochs: Int, step: Int, total: Int, loss: Double) {
        let fraction = total == 0 ? 1 : Double(step) / Double(total)
        if interactive {
            let filled = Int(fraction * Double(width))
            let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
            writeStandardError(
                "\r\u{1B}[2Kepoch \(epoch)/\(epochs) [\(bar)] \(step)/\(total) loss \(format(loss, digits: 4))")
        } else {
            let decile = Int(fraction * 10)
            if decile != lastDecile {
                lastDecile = decile
                writeStandardError(
                    "epoch \(epoch)/\(epochs): \(decile * 10)% (\(step)/\(total) batches) loss \(format(loss, digits: 4))\n")
            }
        }
    }

    /// Ends the current bar (clears the line on a terminal) before per-epoch results print.
    mutating func finishEpoch() {
        if interactive { writeStandardError("\r\u{1B}[2K") }
        lastDecile = -1
    }
}

/// Writes `text` to standard error, unbuffered.
func writeStandardError(_ text: String) {
    write(text, to: STDERR_FILENO)
}

/// Writes `line` and a newline to standard output at once, unbuffered: a log redirected to a
/// file or a pipe holds every line printed so far, however the process ends.
func printLine(_ line: String) {
    write(line + "\n", to: STDOUT_FILENO)
}

/// Writes all of `text` to `descriptor`, retrying short writes and `EINTR`. Calls `write`.
private func write(_ text: String, to descriptor: Int32) {
    var text = text
    text.withUTF8 { bytes in
        var offset = 0
        while offset < bytes.count {
            let written = write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 && errno == EINTR { continue }
            if written <= 0 { return }
            offset += written
        }
    }
}

/// `value` with a fixed number of digits after the point.
func format(_ value: Double, digits: Int) -> String {
    guard value.isFinite else { return "\(value)" }
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let rounded = (abs(value) * scale).rounded()
    // Past Int's range (a diverging loss such as 3e38): Swift's own notation, not a trap.
    guard rounded < 9e18 else { return "\(value)" }
    let whole = Int(rounded / scale)
    let fraction = Int(rounded.truncatingRemainder(dividingBy: scale))
    let padded = String(fraction).leftPadded(to: digits)
    return (value < 0 && rounded != 0 ? "-" : "") + "\(whole)" + (digits > 0 ? ".\(padded)" : "")
}

extension String {
    /// The string with leading zeros up to `width` characters.
    func leftPadded(to width: Int, with pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}
