import ArgumentParser
import CAllocCounter
import Perceptron

/// `perceptron-bench`: GEMM, training step, inference and epoch timings.
@main
struct PerceptronBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "perceptron-bench")
    func run() throws {}
}
