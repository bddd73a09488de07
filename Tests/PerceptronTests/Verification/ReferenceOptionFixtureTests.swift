import Testing

@testable import Perceptron

/// The fixtures of issue 15's training options (checked with every other fixture by
/// ``ReferenceFixtureTests/fixtureMatchesPyTorchWithinTolerance(folder:backendName:)``).
@Suite struct ReferenceOptionFixtureTests {
    /// Label smoothing and class weights, each and together, with class indices and probability
    /// rows; RMSprop with and without momentum; clipping; the plateau schedule with validation.
    @Test func fixturesCoverEveryTrainingOption() throws {
        let cases = try ReferenceCase.all(in: referenceFixtures)
        var lossOptions = Set<String>()
        var clipped = false
        var plateau = false
        var rmspropMomentum = Set<Bool>()
        for c in cases {
            let targets = c.targets.dtype.isFloatingPoint ? "probabilities" : "indices"
            if c.labelSmoothing > 0 { lossOptions.insert("smoothing \(targets)") }
            if c.classWeights != nil { lossOptions.insert("weights \(targets)") }
            if c.labelSmoothing > 0, c.classWeights != nil { lossOptions.insert("both \(targets)") }
            if let t = c.training {
                clipped = clipped || t.maximumGradientNorm != nil
                if case .plateau = t.schedule { plateau = t.validationFraction > 0 && t.learningRates != nil }
                if t.optimizer == .rmsprop { rmspropMomentum.insert(t.momentum != 0) }
            }
        }
        #expect(
            lossOptions == [
                "smoothing indices", "smoothing probabilities", "weights indices", "weights probabilities",
                "both indices", "both probabilities",
            ])
        #expect(clipped && plateau)
        #expect(rmspropMomentum == [false, true])
    }

    /// The plateau case's learning rates are compared: one wrong rate fails the trained check.
    @Test func aWrongLearningRateSequenceFailsTheTrainedCheck() throws {
        var reference = try ReferenceCase(folder: referenceFixtures + "/case-train-sgd-plateau")
        var training = try #require(reference.training)
        var rates = try #require(training.learningRates)
        #expect(Set(rates).count > 1)
        rates[rates.count - 1] *= 2
        training.learningRates = rates
        reference.training = training
        let trained = try #require(try reference.checks(backend: NaiveBackend()).last)
        #expect(!trained.passed)
        #expect(trained.discrepancy.worst == "learning_rates")
    }

    /// Without the case's loss options, the option fixtures fail: they are what is checked.
    @Test func optionFixturesFailWithoutTheirLossOptions() throws {
        for name in ["case-ce-label-smoothing-indices", "case-ce-class-weights-probabilities"] {
            var reference = try ReferenceCase(folder: referenceFixtures + "/" + name)
            reference.labelSmoothing = 0
            reference.classWeights = nil
            let checks = try reference.checks(backend: NaiveBackend())
            #expect(checks.contains { !$0.passed }, "\(name)")
        }
    }

    @Test func malformedOptionKeysThrowNamingCaseJSON() throws {
        let folder = FormatTestSupport.temporaryFolder()
        let source = referenceFixtures + "/case-ce-class-weights-indices"
        for file in ["model.safetensors", "input.npy", "targets.npy", "expected.safetensors"] {
            ReliabilitySupport.write(try FileSystem.read(source + "/" + file), to: folder + "/" + file)
        }
        for (json, word) in [
            (#"{"description": "x", "dtype": "float64", "training": false, "class_weights": "heavy"}"#, "class_weights"),
            (#"{"description": "x", "dtype": "float64", "training": false, "class_weights": [1, -2, 1]}"#, "class weight"),
            (#"{"description": "x", "dtype": "float64", "training": false, "label_smoothing": 2}"#, "label smoothing"),
        ] {
            ReliabilitySupport.write(Array(json.utf8), to: folder + "/case.json")
            #expect {
                try ReferenceCase(folder: folder).checks(backend: NaiveBackend())
            } throws: { error in
                "\(error)".contains("case.json") && "\(error)".contains(word)
            }
        }
    }
}
