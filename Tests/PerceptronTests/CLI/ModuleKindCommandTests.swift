import Testing

@testable import Perceptron

/// The command line with normalisation, dropout and the two modes.
@Suite struct ModuleKindCommandTests {
    static let trainFlags = [
        "train", "--input", "x.npy", "--targets", "t.npy", "--hidden", "6,5", "--activation", "silu",
        "--normalization", "batch", "--dropout", "0.2", "--dtype", "float64", "--optimizer", "sgd",
        "--learning-rate", "0.1", "--batch-size", "16", "--epochs", "2", "--seed", "3", "--backend", "naive",
    ]

    @Test func trainBuildsNormalizationActivationAndDropoutAfterEachHiddenLayer() throws {
        let folder = FormatTestSupport.temporaryFolder()
        _ = try CommandLineTests.writeData(in: folder)
        let run = try ReliabilitySupport.perceptron(Self.trainFlags + ["--output", "m.safetensors"], in: folder)
        #expect(run.status == 0, "\(run.standardError)")
        let file = try SafetensorsFile.read(from: "\(folder)/m.safetensors")
        #expect(
            file.metadata[ModelFile.layersKey]
                == "linear,batch_norm,silu,dropout(0.2),linear,batch_norm,silu,dropout(0.2),linear")
        // 40 samples in batches of 16 for 2 epochs: 6 training batches.
        #expect(try file.tensors["1.num_batches_tracked"]?.integers() == [6])
        #expect(try file.tensors["5.num_batches_tracked"]?.integers() == [6])
    }

    @Test func gradientsRunInEvaluationModeUnlessAskedAndRefuseDropoutInTrainingMode() throws {
        let folder = FormatTestSupport.temporaryFolder()
        let data = try CommandLineTests.writeData(in: folder)
        #expect(try ReliabilitySupport.perceptron(Self.trainFlags + ["--output", "m.safetensors"], in: folder).status == 0)
        let base = ["gradients", "--model", "m.safetensors", "--input", "x.npy", "--targets", "t.npy", "--backend", "naive"]
        let eval = try ReliabilitySupport.perceptron(base + ["--output", "g.safetensors"], in: folder)
        #expect(eval.status == 0, "\(eval.standardError)")
        guard case .float64(let saved) = try ModelFile.read(from: "\(folder)/m.safetensors") else { return }
        var network = saved.network
        network.backend = NaiveBackend()
        let loss = try network.lossAndGradients(
            for: data.inputs, targets: .classes(data.labels), loss: .crossEntropy, mode: .evaluation)
        let file = try SafetensorsFile.read(from: "\(folder)/g.safetensors")
        #expect(try file.tensors["loss"]?.scalars(as: Double.self) == [loss])
        #expect(try file.tensors["1.weight"]?.scalars(as: Double.self) == {
            if case .batchNorm(let b) = network.layers[1] { return b.weightGradient } else { return [] }
        }())

        let refused = try ReliabilitySupport.perceptron(base + ["--output", "h.safetensors", "--train-mode"], in: folder)
        #expect(refused.status != 0)
        #expect(refused.errorLines.count == 1, "\(refused.standardError)")
        #expect(refused.standardError.contains("dropout(0.2)") && refused.standardError.contains("--train-mode"))
        #expect(!ReliabilitySupport.exists("\(folder)/h.safetensors"))
    }

    @Test func gradientsInTrainingModeUseTheBatchStatistics() throws {
        let folder = FormatTestSupport.temporaryFolder()
        let data = try CommandLineTests.writeData(in: folder)
        var flags = Self.trainFlags + ["--output", "m.safetensors"]
        flags[flags.firstIndex(of: "0.2")!] = "0"
        #expect(try ReliabilitySupport.perceptron(flags, in: folder).status == 0)
        let run = try ReliabilitySupport.perceptron(
            ["gradients", "--model", "m.safetensors", "--input", "x.npy", "--targets", "t.npy", "--backend", "naive",
             "--output", "g.safetensors", "--train-mode"], in: folder)
        #expect(run.status == 0, "\(run.standardError)")
        guard case .float64(let saved) = try ModelFile.read(from: "\(folder)/m.safetensors") else { return }
        var network = saved.network
        network.backend = NaiveBackend()
        let train = try network.lossAndGradients(for: data.inputs, targets: .classes(data.labels), loss: .crossEntropy, mode: .training)
        let eval = try network.lossAndGradients(for: data.inputs, targets: .classes(data.labels), loss: .crossEntropy, mode: .evaluation)
        let file = try SafetensorsFile.read(from: "\(folder)/g.safetensors")
        #expect(try file.tensors["loss"]?.scalars(as: Double.self) == [train])
        #expect(train != eval)
    }

    @Test(arguments: [
        ["train", "--dropout", "1"],
        ["train", "--dropout", "1.5"],
        ["train", "--normalization", "group"],
        ["train", "--activation", "softmax"],
        ["train", "--activation", "softplus(0)"],
        ["train", "--activation", "swish"],
    ])
    func invalidModuleFlagsExitNonZeroWithOneLine(_ arguments: [String]) throws {
        let folder = FormatTestSupport.temporaryFolder()
        _ = try CommandLineTests.writeData(in: folder)
        let run = try ReliabilitySupport.perceptron(arguments + ["--input", "x.npy", "--targets", "t.npy"], in: folder)
        #expect(run.status != 0)
        #expect(run.standardError.contains("Error"), "\(run.standardError)")
        #expect(!ReliabilitySupport.exists("\(folder)/model.safetensors"))
    }
}
