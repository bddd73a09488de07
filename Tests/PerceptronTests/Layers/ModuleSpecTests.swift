import Testing

@testable import Perceptron

/// The `perceptron.layers` grammar: kinds with optional JSON-number arguments in parentheses.
@Suite struct ModuleSpecTests {
    @Test func kindsParseWithJSONNumberArgumentsAndTheirCommasStayInside() throws {
        let specs = try ModuleSpec.parseList("linear,batch_norm(1e-5,0.1),relu, dropout( 0.2 ),leaky_relu(-1.5E-2),linear")
        #expect(specs.map(\.kind) == ["linear", "batch_norm", "relu", "dropout", "leaky_relu", "linear"])
        #expect(specs[1].arguments == [1e-5, 0.1])
        #expect(specs[3].arguments == [0.2])
        #expect(specs[4].arguments == [-0.015])
        #expect(specs[0].arguments.isEmpty)
    }

    @Test(arguments: [
        ("linear,dropout(x),linear", "not a JSON number"),
        ("linear,dropout(.5),linear", "not a JSON number"),
        ("linear,dropout(0.2,0.3),linear", "at most 1 argument"),
        ("linear,dropout(0.2,linear", "closing parenthesis"),
        ("linear,swish(1),linear", "unknown module kind \"swish\" at module 1"),
        ("linear,,linear", "empty module kind"),
        ("linear,relu(1),linear", "at most 0 arguments"),
    ])
    func malformedModulesAreRejectedNamingTheProblem(list: String, message: String) {
        #expect {
            _ = try ModuleSpec.parseList(list)
        } throws: { error in
            (error as? ModuleSpecError)?.description.contains(message) == true
        }
    }

    @Test func tokensReadBackToTheSameArguments() throws {
        for value in [0.2, 1e-5, 20, -0.01, 0.1 + 0.2, 1e300] {
            let token = ModuleSpec(kind: "dropout", arguments: [value]).token
            #expect(try ModuleSpec(parsing: token).arguments == [value], "\(token)")
        }
    }

    @Test func layerSpecsLeaveOutPyTorchsDefaults() {
        #expect(Layer<Double>.dropout(probability: 0.5).spec.token == "dropout")
        #expect(Layer<Double>.dropout(probability: 0.2).spec.token == "dropout(0.2)")
        #expect(Layer<Double>.activation(.leakyReLU()).spec.token == "leaky_relu")
        #expect(Layer<Double>.activation(.softplus(beta: 2)).spec.token == "softplus(2)")
        #expect(Layer<Double>.activation(.softplus(beta: 1, threshold: 5)).spec.token == "softplus(1,5)")
        #expect(Layer<Double>.batchNorm(BatchNorm(features: 3, momentum: 0.3)).spec.token == "batch_norm(1e-05,0.3)")
        #expect(Layer<Double>.layerNorm(LayerNorm(features: 3)).spec.token == "layer_norm")
    }

    @Test func activationArgumentsOutsidePyTorchsRangeAreRejected() {
        #expect(throws: ModuleSpecError.self) { try Activation(kind: "softplus", arguments: [0]) }
        #expect(throws: ModuleSpecError.self) { try Activation(kind: "elu", arguments: [.nan]) }
        #expect(throws: ModuleSpecError.self) { try Activation(kind: "relu", arguments: [1]) }
        #expect(throws: ShapeError.self) {
            try Network<Double>(layers: [.dense(Dense(weight: Matrix(rows: 2, columns: 2), bias: [0, 0])), .dropout(probability: 1.5)])
        }
    }
}
