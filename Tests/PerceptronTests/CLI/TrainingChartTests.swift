import Testing

@testable import Perceptron

private typealias Support = ReliabilitySupport

/// 120 samples of 4 features, 2 classes, seeded.
private func writeDataset(in folder: String) throws {
    var g = SeededGenerator(seed: 5)
    let x: [Float] = (0..<120 * 4).map { _ in g.uniform(-1, 1) }
    try NPY.write(try Tensor(x, shape: [120, 4]), to: "\(folder)/x.npy")
    let labels = (0..<120).map { x[4 * $0] > 0 ? 1 : 0 }
    try NPY.write(try Tensor(integers: labels, shape: [120], dtype: .int64), to: "\(folder)/t.npy")
}

/// The texts of the `<text …>` elements of `svg` whose attributes contain `attribute`.
private func texts(_ svg: String, with attribute: String) -> [String] {
    svg.split(separator: "\n").filter { $0.hasPrefix("<text") && $0.contains(attribute) }.compactMap { line in
        guard let open = line.firstIndex(of: ">"), let close = line.range(of: "</text>") else { return nil }
        return String(line[line.index(after: open)..<close.lowerBound])
    }
}

/// A one-epoch run's chart has one epoch tick, and in each panel distinct y tick labels that are
/// round numbers (1, 2 or 5 times a power of ten apart).
@Test(.enabled(if: Support.commandPath != nil))
func aOneEpochChartHasOneEpochTickAndDistinctRoundValueTicks() throws {
    let folder = FormatTestSupport.temporaryFolder()
    try writeDataset(in: folder)
    let run = try Support.perceptron(
        ["train", "--input", "x.npy", "--targets", "t.npy", "--hidden", "4", "--epochs", "1", "--plot", "p.svg",
         "--validation-fraction", "0.25", "--backend", "naive"], in: folder)
    #expect(run.status == 0, "\(run.standardError)")
    let svg = String(decoding: try Support.bytes("\(folder)/p.svg"), as: UTF8.self)
    #expect(texts(svg, with: "text-anchor=\"middle\"").filter { $0 == "1" }.count == 2)  // one per panel
    let panels = svg.split(separator: "<g>").dropFirst().map(String.init)
    #expect(panels.count == 2)
    for panel in panels {
        let ticks = texts(panel, with: "text-anchor=\"end\"")
        let values = ticks.compactMap(Double.init)
        #expect(ticks.count >= 3 && values.count == ticks.count, "\(ticks)")
        #expect(Set(ticks).count == ticks.count, "a repeated tick label in \(ticks)")
        for (a, b) in zip(values, values.dropFirst()) {
            let step = b - a
            let mantissa = step / pow10(floorLog10(step))
            #expect([1, 2, 5, 10].contains { abs(mantissa - $0) < 1e-6 }, "step \(step) in \(ticks)")
        }
    }
}

/// With a schedule that changes the learning rate, the chart draws it in a panel of its own.
@Test(.enabled(if: Support.commandPath != nil))
func aScheduledRunsChartShowsTheLearningRate() throws {
    let folder = FormatTestSupport.temporaryFolder()
    try writeDataset(in: folder)
    let run = try Support.perceptron(
        ["train", "--input", "x.npy", "--targets", "t.npy", "--hidden", "4", "--epochs", "4", "--plot", "p.svg",
         "--schedule", "step", "--step-size", "2", "--backend", "naive"], in: folder)
    #expect(run.status == 0, "\(run.standardError)")
    let svg = String(decoding: try Support.bytes("\(folder)/p.svg"), as: UTF8.self)
    #expect(svg.contains(">learning rate</text>"))
    let constant = try Support.perceptron(
        ["train", "--input", "x.npy", "--targets", "t.npy", "--hidden", "4", "--epochs", "4", "--plot", "q.svg",
         "--backend", "naive"], in: folder)
    #expect(constant.status == 0)
    #expect(!String(decoding: try Support.bytes("\(folder)/q.svg"), as: UTF8.self).contains(">learning rate</text>"))
}

private func floorLog10(_ x: Double) -> Double {
    var p = 0.0
    var v = x
    while v >= 10 { v /= 10; p += 1 }
    while v < 1 { v *= 10; p -= 1 }
    return p
}

private func pow10(_ p: Double) -> Double {
    var r = 1.0
    if p >= 0 { for _ in 0..<Int(p) { r *= 10 } } else { for _ in 0..<Int(-p) { r /= 10 } }
    return r
}
