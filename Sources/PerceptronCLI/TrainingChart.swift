import Foundation

/// One epoch's figures, as drawn by ``TrainingChart``.
struct EpochPoint {
    var epoch: Int
    var trainLoss: Double
    var trainAccuracy: Double?
    var validationLoss: Double?
    var validationAccuracy: Double?
    var learningRate: Double
}

/// Draws loss and accuracy per epoch (train and validation) as a standalone SVG document, one
/// panel each side by side, and a third panel with the learning rate when a schedule changes it.
///
/// Made to be put in a report: tick values are round (1, 2 or 5 times a power of ten, each label
/// distinct), the legend sits above its panel where no curve can run through it, a single epoch
/// is a point in the middle of its panel with one tick, and the test accuracy, when known, is a
/// dashed line labelled with its value.
struct TrainingChart {
    var title: String
    var points: [EpochPoint]
    /// Whether to draw the learning rate (when a schedule changes it).
    var showsLearningRate = false
    /// Accuracy on the test split after training, when known.
    var testAccuracy: Double? = nil

    private let panelWidth = 380.0
    private let panelHeight = 280.0
    private let margin = (left: 64.0, right: 20.0, top: 64.0, bottom: 48.0)

    /// A drawn series: its name, colour, dash pattern, and one value per epoch.
    private struct Series {
        var name: String
        var color: String
        var dashed = false
        var values: [Double]
    }

    /// The SVG text.
    func svg() -> String {
        let rates = points.map(\.learningRate)
        let drawsRate = showsLearningRate && Set(rates).count > 1
        let panels = drawsRate ? 3.0 : 2.0
        let slot = panelWidth + margin.left + margin.right
        let width = panels * slot
        let height = panelHeight + margin.top + margin.bottom + 20
        var out = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" \
            viewBox="0 0 \(Int(width)) \(Int(height))" font-family="sans-serif" font-size="12">
            <rect width="100%" height="100%" fill="white"/>
            <text x="\(width / 2)" y="20" text-anchor="middle" font-size="15">\(escape(title))</text>

            """
        let epochs = points.map { Double($0.epoch) }
        out += panel(
            at: 0, label: "loss", epochs: epochs,
            series: [
                Series(name: "train", color: "#1f77b4", values: points.map(\.trainLoss)),
                Series(name: "validation", color: "#ff7f0e", values: points.compactMap(\.validationLoss)),
            ])
        var accuracy = [
            Series(name: "train", color: "#1f77b4", values: points.compactMap { $0.trainAccuracy.map { $0 * 100 } }),
            Series(name: "validation", color: "#ff7f0e", values: points.compactMap { $0.validationAccuracy.map { $0 * 100 } }),
        ]
        if let testAccuracy, !epochs.isEmpty {
            accuracy.append(
                Series(
                    name: "test \(format(testAccuracy * 100, digits: 2))%", color: "#2ca02c", dashed: true,
                    values: epochs.map { _ in testAccuracy * 100 }))
        }
        out += panel(at: slot, label: "accuracy (%)", epochs: epochs, series: accuracy)
        if drawsRate {
            out += panel(
                at: 2 * slot, label: "learning rate", epochs: epochs,
                series: [Series(name: "learning rate", color: "#7f7f7f", values: rates)])
        }
        out += "</svg>\n"
        return out
    }

    private func panel(at originX: Double, label: String, epochs: [Double], series: [Series]) -> String {
        let drawn = series.filter { !$0.values.isEmpty && $0.values.count == epochs.count && $0.values.allSatisfy(\.isFinite) }
        let x0 = originX + margin.left
        let y0 = margin.top
        var out = "<g>\n"
        out += "<rect x=\"\(x0)\" y=\"\(y0)\" width=\"\(panelWidth)\" height=\"\(panelHeight)\" fill=\"none\" stroke=\"#444\"/>\n"
        out += "<text x=\"\(x0 + panelWidth / 2)\" y=\"\(y0 + panelHeight + 38)\" text-anchor=\"middle\">epoch</text>\n"
        out += "<text x=\"\(x0 - 50)\" y=\"\(y0 + panelHeight / 2)\" text-anchor=\"middle\" "
            + "transform=\"rotate(-90 \(x0 - 50) \(y0 + panelHeight / 2))\">\(label)</text>\n"
        let values = drawn.flatMap(\.values)
        guard let low = values.min(), let high = values.max(), let first = epochs.first, let last = epochs.last else {
            out += "<text x=\"\(x0 + panelWidth / 2)\" y=\"\(y0 + panelHeight / 2)\" text-anchor=\"middle\">no data</text>\n</g>\n"
            return out
        }
        // Legend above the panel, in one row: no curve can cross it.
        var legendX = x0
        for s in drawn {
            let dash = s.dashed ? " stroke-dasharray=\"6 4\"" : ""
            out += "<line x1=\"\(legendX)\" x2=\"\(legendX + 20)\" y1=\"\(y0 - 14)\" y2=\"\(y0 - 14)\" stroke=\"\(s.color)\" stroke-width=\"2\"\(dash)/>\n"
            out += "<text x=\"\(legendX + 25)\" y=\"\(y0 - 10)\">\(escape(s.name))</text>\n"
            legendX += 40 + Double(s.name.count) * 7
        }
        // A little room, so that no point sits on the frame.
        let room = (high - low) * 0.04
        let yTicks = Self.roundTicks(low: low - room, high: high + room)
        let (yLow, yHigh) = (yTicks.values.first!, yTicks.values.last!)
        // One epoch: the point in the middle, half an epoch either side.
        let (xLow, xHigh) = first == last ? (first - 0.5, last + 0.5) : (first, last)
        func px(_ e: Double) -> Double { x0 + (e - xLow) / (xHigh - xLow) * panelWidth }
        func py(_ v: Double) -> Double { y0 + panelHeight - (v - yLow) / (yHigh - yLow) * panelHeight }
        for v in yTicks.values {
            out += "<line x1=\"\(x0)\" x2=\"\(x0 + panelWidth)\" y1=\"\(py(v))\" y2=\"\(py(v))\" stroke=\"#ddd\"/>\n"
            out += "<text x=\"\(x0 - 6)\" y=\"\(py(v) + 4)\" text-anchor=\"end\">\(Self.tickLabel(v, decimals: yTicks.decimals, largest: max(abs(yLow), abs(yHigh))))</text>\n"
        }
        let xTicks = Self.roundTicks(low: first, high: max(last, first + 1), integers: true, count: 8)
        for e in xTicks.values where e >= first && e <= last {
            out += "<line x1=\"\(px(e))\" x2=\"\(px(e))\" y1=\"\(y0 + panelHeight)\" y2=\"\(y0 + panelHeight + 4)\" stroke=\"#444\"/>\n"
            out += "<text x=\"\(px(e))\" y=\"\(y0 + panelHeight + 18)\" text-anchor=\"middle\">\(Int(e))</text>\n"
        }
        for s in drawn {
            let dash = s.dashed ? " stroke-dasharray=\"6 4\"" : ""
            let path = zip(epochs, s.values).map { "\(px($0)),\(py($1))" }.joined(separator: " ")
            if epochs.count > 1 || s.dashed {
                let line = s.dashed && epochs.count == 1 ? "\(x0),\(py(s.values[0])) \(x0 + panelWidth),\(py(s.values[0]))" : path
                out += "<polyline points=\"\(line)\" fill=\"none\" stroke=\"\(s.color)\" stroke-width=\"2\"\(dash)/>\n"
            }
            if !s.dashed {
                for (e, v) in zip(epochs, s.values) where epochs.count <= 60 {
                    out += "<circle cx=\"\(px(e))\" cy=\"\(py(v))\" r=\"3\" fill=\"\(s.color)\"/>\n"
                }
            }
        }
        out += "</g>\n"
        return out
    }

    /// Round tick values covering `low…high`: multiples of 1, 2 or 5 times a power of ten (at
    /// least 1 for `integers`), about `count` of them, and the decimals that tell each apart.
    /// A flat range (`low == high`) is widened around its value.
    static func roundTicks(low: Double, high: Double, integers: Bool = false, count: Int = 5) -> (
        values: [Double], decimals: Int
    ) {
        var (low, high) = (low, high)
        if high - low < max(abs(high), 1) * 1e-9 {
            let pad = low == 0 ? 1 : abs(low) * 0.1
            (low, high) = (low - pad, high + pad)
        }
        let raw = (high - low) / Double(max(count - 1, 1))
        let power = Foundation.pow(10, Foundation.floor(Foundation.log10(raw)))
        var step = [1.0, 2.0, 5.0, 10.0].map { $0 * power }.first { $0 >= raw } ?? 10 * power
        if integers { step = max(step.rounded(), 1) }
        let start = Foundation.floor(low / step) * step
        let end = Foundation.ceil(high / step) * step
        let n = Int(((end - start) / step).rounded())
        let values = (0...max(n, 1)).map { start + Double($0) * step }
        let decimals = integers ? 0 : max(0, -Int(Foundation.floor(Foundation.log10(step) + 1e-9)))
        return (values, decimals)
    }

    /// `value` with `decimals` digits after the point; past 4 decimals, in `%g` notation with the
    /// significant digits that keep ticks `10^-decimals` apart distinct up to `largest`.
    static func tickLabel(_ value: Double, decimals: Int, largest: Double) -> String {
        guard decimals > 4 else { return format(value, digits: decimals) }
        if value == 0 { return "0" }
        let significant = max(1, decimals + Int(Foundation.floor(Foundation.log10(max(largest, 1e-300)))) + 1)
        return String(format: "%.\(significant)g", value)
    }

    private func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }
}
