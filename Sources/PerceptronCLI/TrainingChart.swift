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

/// Draws loss and accuracy per epoch (train and validation) as a standalone SVG document:
/// two panels side by side, each with axes, tick labels and a legend.
struct TrainingChart {
    var title: String
    var points: [EpochPoint]
    /// Whether to draw the learning rate (when a schedule changes it).
    var showsLearningRate = false
    /// Accuracy on the test split after training, when known.
    var testAccuracy: Double? = nil

    private let panelWidth = 420.0
    private let panelHeight = 300.0
    private let margin = (left: 60.0, right: 20.0, top: 40.0, bottom: 45.0)

    /// The SVG text.
    func svg() -> String {
        let width = 2 * (panelWidth + margin.left + margin.right)
        let height = panelHeight + margin.top + margin.bottom + 30
        var out = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" \
            viewBox="0 0 \(Int(width)) \(Int(height))" font-family="sans-serif" font-size="12">
            <rect width="100%" height="100%" fill="white"/>
            <text x="\(width / 2)" y="20" text-anchor="middle" font-size="15">\(escape(title))</text>

            """
        let epochs = points.map { Double($0.epoch) }
        out += panel(
            originX: 0, label: "loss",
            series: [
                ("train", "#1f77b4", points.map { $0.trainLoss }),
                ("validation", "#ff7f0e", points.compactMap { $0.validationLoss }),
            ], epochs: epochs, percent: false)
        out += panel(
            originX: panelWidth + margin.left + margin.right, label: "accuracy (%)",
            series: [
                ("train", "#1f77b4", points.compactMap { $0.trainAccuracy.map { $0 * 100 } }),
                ("validation", "#ff7f0e", points.compactMap { $0.validationAccuracy.map { $0 * 100 } }),
            ], epochs: epochs, percent: true)
        out += "</svg>\n"
        return out
    }

    private func panel(
        originX: Double, label: String, series: [(String, String, [Double])], epochs: [Double], percent: Bool
    ) -> String {
        let drawn = series.filter { !$0.2.isEmpty && $0.2.count == epochs.count && $0.2.allSatisfy(\.isFinite) }
        let x0 = originX + margin.left
        let y0 = margin.top + 10
        var out = "<g>\n"
        out += "<rect x=\"\(x0)\" y=\"\(y0)\" width=\"\(panelWidth)\" height=\"\(panelHeight)\" fill=\"none\" stroke=\"#444\"/>\n"
        out += "<text x=\"\(x0 + panelWidth / 2)\" y=\"\(y0 + panelHeight + 35)\" text-anchor=\"middle\">epoch</text>\n"
        out += "<text x=\"\(x0 - 45)\" y=\"\(y0 + panelHeight / 2)\" text-anchor=\"middle\" "
            + "transform=\"rotate(-90 \(x0 - 45) \(y0 + panelHeight / 2))\">\(label)</text>\n"
        let values = drawn.flatMap { $0.2 }
        guard let low = values.min(), let high = values.max(), let first = epochs.first, let last = epochs.last else {
            out += "<text x=\"\(x0 + panelWidth / 2)\" y=\"\(y0 + panelHeight / 2)\" text-anchor=\"middle\">no data</text>\n</g>\n"
            return out
        }
        let pad = max((high - low) * 0.08, percent ? 0.5 : 1e-3)
        let yLow = low - pad
        let yHigh = high + pad
        let xSpan = max(last - first, 1)
        func px(_ e: Double) -> Double { x0 + (e - first) / xSpan * panelWidth }
        func py(_ v: Double) -> Double { y0 + panelHeight - (v - yLow) / (yHigh - yLow) * panelHeight }
        for t in 0...4 {
            let v = yLow + (yHigh - yLow) * Double(t) / 4
            out += "<line x1=\"\(x0)\" x2=\"\(x0 + panelWidth)\" y1=\"\(py(v))\" y2=\"\(py(v))\" stroke=\"#ddd\"/>\n"
            out += "<text x=\"\(x0 - 6)\" y=\"\(py(v) + 4)\" text-anchor=\"end\">\(format(v, digits: percent ? 1 : 3))</text>\n"
        }
        let tickStep = max(1, Int((xSpan / 10).rounded(.up)))
        for e in stride(from: Int(first), through: Int(last), by: tickStep) {
            out += "<text x=\"\(px(Double(e)))\" y=\"\(y0 + panelHeight + 16)\" text-anchor=\"middle\">\(e)</text>\n"
        }
        for (index, (name, color, ys)) in drawn.enumerated() {
            let path = zip(epochs, ys).map { "\(px($0)),\(py($1))" }.joined(separator: " ")
            out += "<polyline points=\"\(path)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\"/>\n"
            for (e, v) in zip(epochs, ys) {
                out += "<circle cx=\"\(px(e))\" cy=\"\(py(v))\" r=\"3\" fill=\"\(color)\"/>\n"
            }
            let ly = y0 + 16 + Double(index) * 16
            out += "<line x1=\"\(x0 + panelWidth - 110)\" x2=\"\(x0 + panelWidth - 90)\" y1=\"\(ly - 4)\" y2=\"\(ly - 4)\" "
                + "stroke=\"\(color)\" stroke-width=\"2\"/>\n"
            out += "<text x=\"\(x0 + panelWidth - 85)\" y=\"\(ly)\">\(name)</text>\n"
        }
        out += "</g>\n"
        return out
    }

    private func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }
}
