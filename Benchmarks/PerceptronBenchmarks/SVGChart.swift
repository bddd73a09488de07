import Foundation

/// A hand-written SVG of the report: GFLOP/s against square size for both backends (left), and
/// training-step time by batch size with the GEMM floor (right). Log scales on both axes.
struct SVGChart {
    var report: Report

    struct Series {
        var label: String
        var color: String
        var dashed: Bool
        var dotted = false
        var points: [(x: Double, y: Double)]
    }

    func render() -> String {
        let panelWidth = 460.0, height = 430.0
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(2 * panelWidth + 40))" height="\(Int(height + 40))" \
            font-family="sans-serif" font-size="12">
            <rect width="100%" height="100%" fill="white"/>
            <text x="20" y="22" font-size="14" font-weight="bold">Perceptron: \(escape(report.machine.cpu)), \
            \(report.machine.logicalCores) cores\(report.machine.quick ? " (--quick)" : "")</text>

            """
        let environment = report.machine.openBLASEnvironment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        if !environment.isEmpty {
            svg += "<text x=\"\(Int(2 * panelWidth + 20))\" y=\"22\" text-anchor=\"end\" fill=\"#555\">"
                + escape(environment.joined(separator: " ")) + "</text>\n"
        }
        svg += panel(
            x: 20, y: 40, width: panelWidth, height: height, title: "GEMM, square n×n×n",
            xLabel: "n", yLabel: "GFLOP/s", series: gemmSeries())
        svg += panel(
            x: 40 + panelWidth, y: 40, width: panelWidth, height: height,
            title: "Training step 784-256-128-10 (Float, Adam)", xLabel: "batch size",
            yLabel: "ms per step", series: stepSeries())
        svg += "</svg>\n"
        return svg
    }

    func write(toFile path: String) throws {
        try Data(render().utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    private static let palette = ["#1f77b4", "#d62728", "#9467bd", "#ff7f0e", "#8c564b", "#17becf", "#7f7f7f"]

    /// One colour per backend and thread count, the same in both panels: naive is green.
    private func color(backend: String, threads: Int) -> String {
        if backend == "naive" { return "#2ca02c" }
        return Self.palette[(threads - 1) % Self.palette.count]
    }

    private func gemmSeries() -> [Series] {
        var series: [Series] = []
        let squares = report.gemm.filter { $0.role == "square" }
        var keys: [String] = []
        for r in squares {
            let key = "\(r.backend) \(r.dtype == "float32" ? "sgemm" : "dgemm")" + (r.backend == "blas" ? " \(r.threads)t" : "")
            if !keys.contains(key) { keys.append(key) }
        }
        for key in keys {
            let rows = squares.filter {
                "\($0.backend) \($0.dtype == "float32" ? "sgemm" : "dgemm")" + ($0.backend == "blas" ? " \($0.threads)t" : "") == key
            }
            series.append(Series(
                label: key, color: color(backend: rows[0].backend, threads: rows[0].threads), dashed: key.contains("dgemm"),
                points: rows.map { (Double($0.m), $0.gflops) }))
        }
        return series
    }

    /// The library network's steps (solid) with their GEMM floors (dashed), and the benchmark's
    /// hand-written reference step (dotted) when measured.
    private func stepSeries() -> [Series] {
        var series: [Series] = []
        var keys: [String] = []
        let network = report.trainingStep.filter { $0.implementation == "network" }
        for r in network {
            let key = "\(r.backend) \(r.threads)t"
            if !keys.contains(key) { keys.append(key) }
        }
        for key in keys {
            let rows = network.filter { "\($0.backend) \($0.threads)t" == key }
            let lineColor = color(backend: rows[0].backend, threads: rows[0].threads)
            series.append(Series(label: key, color: lineColor, dashed: false, points: rows.map { (Double($0.batch), $0.medianMs) }))
            if rows.first?.backend == "blas" {
                series.append(Series(
                    label: "GEMM floor \(rows[0].threads)t", color: lineColor, dashed: true,
                    points: rows.map { (Double($0.batch), $0.gemmFloorMs) }))
            }
        }
        let handwritten = report.trainingStep.filter { $0.implementation == "handwritten" && $0.backend == "blas" }
        for threads in Set(handwritten.map(\.threads)).sorted() {
            let rows = handwritten.filter { $0.threads == threads }
            var s = Series(
                label: "hand-written \(threads)t", color: color(backend: "blas", threads: threads), dashed: false,
                points: rows.map { (Double($0.batch), $0.medianMs) })
            s.dotted = true
            series.append(s)
        }
        return series
    }

    /// One log–log panel with axes, decade grid lines, the series and a legend.
    private func panel(
        x: Double, y: Double, width: Double, height: Double, title: String, xLabel: String,
        yLabel: String, series: [Series]
    ) -> String {
        let left = x + 55, right = x + width - 10, top = y + 25, bottom = y + height - 115
        var out = "<text x=\"\(x + width / 2)\" y=\"\(y + 12)\" text-anchor=\"middle\" font-weight=\"bold\">\(escape(title))</text>\n"
        let points = series.flatMap(\.points).filter { $0.x > 0 && $0.y > 0 }
        out += "<rect x=\"\(left)\" y=\"\(top)\" width=\"\(right - left)\" height=\"\(bottom - top)\" fill=\"none\" stroke=\"#444\"/>\n"
        guard let xMin = points.map(\.x).min(), let xMax = points.map(\.x).max(),
            let yMin = points.map(\.y).min(), let yMax = points.map(\.y).max()
        else {
            return out + "<text x=\"\((left + right) / 2)\" y=\"\((top + bottom) / 2)\" text-anchor=\"middle\">not measured</text>\n"
        }
        // Log axes: x spans its data in powers of two, y whole decades around the data.
        let lx0 = log2(xMin) - 0.3, lx1 = log2(xMax) + 0.3
        let ly0 = floor(log10(yMin)), ly1 = max(ceil(log10(yMax)), ly0 + 1)
        func px(_ v: Double) -> Double { left + (log2(v) - lx0) / (lx1 - lx0) * (right - left) }
        func py(_ v: Double) -> Double { bottom - (log10(v) - ly0) / (ly1 - ly0) * (bottom - top) }
        var decade = ly0
        while decade <= ly1 {
            for m in [1.0, 2, 5] where decade + log10(m) <= ly1 {
                let v = pow(10, decade) * m
                let yy = py(v)
                out += "<line x1=\"\(left)\" y1=\"\(yy)\" x2=\"\(right)\" y2=\"\(yy)\" stroke=\"\(m == 1 ? "#ccc" : "#eee")\"/>\n"
                out += "<text x=\"\(left - 5)\" y=\"\(yy + 4)\" text-anchor=\"end\">\(tick(v))</text>\n"
            }
            decade += 1
        }
        for xv in Set(points.map(\.x)).sorted() {
            out += "<line x1=\"\(px(xv))\" y1=\"\(bottom)\" x2=\"\(px(xv))\" y2=\"\(bottom + 5)\" stroke=\"#444\"/>\n"
            out += "<text x=\"\(px(xv))\" y=\"\(bottom + 18)\" text-anchor=\"middle\">\(Int(xv))</text>\n"
        }
        out += "<text x=\"\((left + right) / 2)\" y=\"\(bottom + 36)\" text-anchor=\"middle\">\(escape(xLabel))</text>\n"
        out += "<text transform=\"translate(\(x + 14),\((top + bottom) / 2)) rotate(-90)\" text-anchor=\"middle\">\(escape(yLabel))</text>\n"
        for s in series where !s.points.isEmpty {
            let path = s.points.sorted { $0.x < $1.x }.map { "\(fixed(px($0.x), 1)),\(fixed(py($0.y), 1))" }
            out += "<polyline points=\"\(path.joined(separator: " "))\" fill=\"none\" stroke=\"\(s.color)\" stroke-width=\"2\"\(dash(s))/>\n"
            for p in s.points {
                out += "<circle cx=\"\(fixed(px(p.x), 1))\" cy=\"\(fixed(py(p.y), 1))\" r=\"3\" fill=\"\(s.color)\"/>\n"
            }
        }
        // The legend sits under the axis label, in two columns.
        for (i, s) in series.enumerated() {
            let lx = left + Double(i % 2) * (right - left) / 2
            let ly = bottom + 58 + Double(i / 2) * 16
            out += "<line x1=\"\(lx)\" y1=\"\(ly - 4)\" x2=\"\(lx + 22)\" y2=\"\(ly - 4)\" stroke=\"\(s.color)\" stroke-width=\"2\"\(dash(s))/>\n"
            out += "<text x=\"\(lx + 27)\" y=\"\(ly)\">\(escape(s.label))</text>\n"
        }
        return out
    }

    private func dash(_ s: Series) -> String {
        s.dotted ? " stroke-dasharray=\"2 3\"" : s.dashed ? " stroke-dasharray=\"6 4\"" : ""
    }

    /// `500`, `5`, `0.5`, `0.05`: as few digits as the value needs.
    private func tick(_ v: Double) -> String {
        v >= 1 ? String(Int(v.rounded())) : fixed(v, Int((-log10(v)).rounded(.up)))
    }

    private func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
    }
}
