#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A training progress bar on standard error.
///
/// On a terminal it redraws one line in place (`\r`), never wider than the terminal (so a narrow
/// one does not fill with wrapped lines): the bar shrinks, then goes, then the loss; when standard
/// error is a file or a pipe it prints a plain line at every tenth of the epoch, so logs stay
/// readable.
struct ProgressBar {
    private let interactive = isatty(STDERR_FILENO) != 0
    private let columns = ProgressBar.terminalColumns()
    private let widest = 30
    private var lastDecile = -1

    /// Shows `step` of `total` batches in `epoch` of `epochs`, with the running loss.
    mutating func update(epoch: Int, epochs: Int, step: Int, total: Int, loss: Double) {
        let fraction = total == 0 ? 1 : Double(step) / Double(total)
        if interactive {
            writeStandardError("\r\u{1B}[2K" + Self.line(
                epoch: epoch, epochs: epochs, step: step, total: total, loss: loss, fraction: fraction,
                columns: columns, widest: widest))
        } else {
            let decile = Int(fraction * 10)
            if decile != lastDecile {
                lastDecile = decile
                writeStandardError(
                    "epoch \(epoch)/\(epochs): \(decile * 10)% (\(step)/\(total) batches) loss \(format(loss, digits: 4))\n")
            }
        }
    }

    /// The terminal line: `epoch 3/10 [███····] 120/469 loss 0.4123`, fitted into `columns - 1`
    /// characters (the last column left free, where some terminals wrap).
    static func line(
        epoch: Int, epochs: Int, step: Int, total: Int, loss: Double, fraction: Double, columns: Int, widest: Int
    ) -> String {
        let head = "epoch \(epoch)/\(epochs)"
        let counts = " \(step)/\(total)"
        let lossText = " loss \(format(loss, digits: 4))"
        let room = columns - 1
        let fixed = head.count + counts.count + lossText.count + 3
        let barWidth = min(widest, room - fixed)
        if barWidth >= 5 {
            let filled = Int(fraction * Double(barWidth))
            let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: barWidth - filled)
            return "\(head) [\(bar)]\(counts)\(lossText)"
        }
        for candidate in [head + counts + lossText, head + counts, head] where candidate.count <= room {
            return candidate
        }
        return String(head.prefix(max(room, 0)))
    }

    /// Ends the current bar (clears the line on a terminal) before per-epoch results print.
    mutating func finishEpoch() {
        if interactive { writeStandardError("\r\u{1B}[2K") }
        lastDecile = -1
    }

    /// The width of the terminal on standard error (`TIOCGWINSZ`), or 80 when it cannot tell.
    private static func terminalColumns() -> Int {
        var size = winsize()
        guard ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return 80 }
        return Int(size.ws_col)
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
