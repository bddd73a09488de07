#if canImport(Glibc)
import Glibc
#endif
import Perceptron

/// Learns XOR from noisy samples with a 2-16-2 perceptron, then predicts the four corners.
///
/// Each sample is a corner of the unit square plus Gaussian noise (σ = 0.15); its class is the
/// XOR of the corner's coordinates. Training uses Adam and softmax cross-entropy.
@main
struct XORClassifier {
    static func main() throws {
        var generator = SeededGenerator(seed: 2024)
        let (inputs, labels) = noisyXOR(count: 512, using: &generator)
        let (testInputs, testLabels) = noisyXOR(count: 256, using: &generator)

        var network = try Network<Float>(sizes: [2, 16, 2], activation: .tanh, initializer: .orthogonal, using: &generator)
        print("backend: \(network.backend.name)")

        var optimizer = Adam<Float>(learningRate: 0.01)
        let history = try network.fit(
            inputs, .classes(labels), loss: .crossEntropy, optimizer: &optimizer,
            configuration: TrainingConfiguration(epochs: 60, batchSize: 32, seed: 7))
        if let last = history.epochs.last {
            print("epoch \(last.epoch): train loss \(format(last.trainLoss)), accuracy \(format(last.trainAccuracy ?? 0))")
        }
        let test = try network.evaluate(testInputs, targets: .classes(testLabels), loss: .crossEntropy)
        print("test accuracy: \(format(test.accuracy ?? 0))")
        guard let accuracy = test.accuracy, accuracy >= 0.95 else {
            fail("XOR was not learned: test accuracy \(test.accuracy ?? 0) < 0.95")
        }

        // Save the model (safetensors, PyTorch's `nn.Sequential` tensor names), load it back, and
        // predict the four clean corners with the loaded network.
        let path = CommandLine.arguments.count > 1 ? CommandLine.arguments[1] : "/tmp/xor-classifier.safetensors"
        try ModelFile.write(network, loss: .crossEntropy, to: path)
        let saved = try ModelFile.read(from: path, as: Float.self)
        print("saved and loaded \(path): \(saved.network.layers.map(\.kind).joined(separator: ",")), loss \(saved.loss.rawValue)")

        let corners = try Matrix<Float>([[0, 0], [0, 1], [1, 0], [1, 1]])
        let probabilities = try saved.network.headOutput(corners, loss: saved.loss)
        guard probabilities == (try network.headOutput(corners, loss: .crossEntropy)) else {
            fail("the loaded model predicts differently from the trained one")
        }
        for i in 0..<corners.rows {
            let p = probabilities[i, 1]
            print("xor(\(Int(corners[i, 0])), \(Int(corners[i, 1]))) = \(p > 0.5 ? 1 : 0)  (p = \(format(Double(p))))")
        }
    }

    /// `count` noisy corners of the unit square and their XOR classes.
    static func noisyXOR(count: Int, using generator: inout SeededGenerator) -> (Matrix<Float>, [Int]) {
        var inputs = Matrix<Float>(rows: count, columns: 2)
        var labels: [Int] = []
        for i in 0..<count {
            let a = Int(generator.next() % 2)
            let b = Int(generator.next() % 2)
            inputs[i, 0] = Float(a) + generator.gaussian(standardDeviation: 0.15)
            inputs[i, 1] = Float(b) + generator.gaussian(standardDeviation: 0.15)
            labels.append(a ^ b)
        }
        return (inputs, labels)
    }

    /// Prints `message` on stderr and exits with status 1.
    static func fail(_ message: String) -> Never {
        var line = "XORClassifier: \(message)\n"
        line.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
        exit(1)
    }

    static func format(_ x: Double) -> String {
        let scaled = (x * 1000).rounded() / 1000
        return "\(scaled)"
    }
}
