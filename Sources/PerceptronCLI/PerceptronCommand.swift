import ArgumentParser
import Perceptron

/// The `perceptron` command: train, evaluate, predict, gradients, verify, info.
@main
struct PerceptronCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "perceptron",
        abstract: "Train and run multi-layer perceptrons on OpenBLAS.",
        subcommands: [Train.self, Evaluate.self, Predict.self, Gradients.self, Verify.self, Info.self])

    /// Parses the command line (after ``NegativeNumberArguments`` joins negative values to their
    /// options) and runs the subcommand.
    static func main() {
        main(NegativeNumberArguments.joined(Array(CommandLine.arguments.dropFirst())))
    }
}
