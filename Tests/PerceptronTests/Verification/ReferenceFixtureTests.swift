import Testing

@testable import Perceptron

/// The committed fixtures written by `Scripts/reference/make_fixtures.py` with PyTorch.
let referenceFixtures: String = {
    let file = "\(#filePath)"
    // …/Tests/PerceptronTests/Verification/ReferenceFixtureTests.swift → …/Tests/PerceptronTests
    let tests = file.split(separator: "/", omittingEmptySubsequences: false).dropLast(2).joined(separator: "/")
    return tests + "/Fixtures/Reference"
}()

/// The case folder names, read when the tests are listed (an unreadable folder gives none, which
/// ``ReferenceFixtureTests/fixturesCoverEveryModuleKindModeLossOptimizerAndPrecision()`` reports).
let referenceCaseFolders: [String] =
    ((try? FileSystem.contentsOfFolder(referenceFixtures)) ?? []).filter { $0.hasPrefix("case-") }

@Suite struct ReferenceFixtureTests {
    /// Every fixture, on both backends: forward (`logits`, `output`, `loss`) and every gradient
    /// (each parameter and `input`) within 1e-10 (Double) or 1e-5 (Float) relative, parameters
    /// after training within 1e-8 (Double) or 1e-4 (Float); see
    /// ``ReferenceCase/tolerance(for:trained:)`` for the reasons and ``Discrepancy`` for the
    /// norm-wise relative error. Largest errors seen: Double 3.2e-14 (dL/dX with ±1e4 logits,
    /// probability targets), otherwise ≤ 1.4e-15; Float 2.8e-7 (gradients), 1.5e-7 (forward),
    /// 9.7e-8 (trained).
    @Test(arguments: referenceCaseFolders, ["blas", "naive"])
    func fixtureMatchesPyTorchWithinTolerance(folder: String, backendName: String) throws {
        let backend: any Backend = backendName == "naive" ? NaiveBackend() : defaultBackend()
        let reference = try ReferenceCase(folder: referenceFixtures + "/" + folder)
        let checks = try reference.checks(backend: backend)
        #expect(checks.count == (reference.training == nil ? 2 : 3))
        for check in checks {
            #expect(check.passed, "\(check)")
        }
    }

    /// The fixtures cover what issue 6 asks: every layer kind and loss, both precisions, every
    /// optimizer, depths 1–4, width 1, batch 1, logits of ±1e4, index and probability targets,
    /// a last partial batch.
    @Test func fixturesCoverEveryModuleKindModeLossOptimizerAndPrecision() throws {
        let cases = try ReferenceCase.all(in: referenceFixtures)
        #expect(cases.count == referenceCaseFolders.count)
        var kinds = Set<String>()
        var losses = Set<String>()
        var depths = Set<Int>()
        var precisions = Set<Precision>()
        var optimizers = Set<ReferenceTraining.OptimizerKind>()
        var widths = Set<Int>()
        var batches = Set<Int>()
        var largestLogit = 0.0
        var crossEntropyTargets = Set<String>()
        var partialLastBatch = false
        var momentumKinds = Set<String>()
        var modes = Set<ExecutionMode>()
        var nonDefaultArguments = false
        for c in cases {
            let layers = try ModuleSpec.parseList(c.model.metadata["perceptron.layers"] ?? "").map(\.kind)
            kinds.formUnion(layers)
            modes.insert(c.mode)
            if c.model.metadata["perceptron.layers"]?.contains("(") == true { nonDefaultArguments = true }
            depths.insert(layers.filter { $0 == "linear" }.count)
            let loss = c.model.metadata["perceptron.loss"] ?? "cross-entropy"
            losses.insert(loss)
            precisions.insert(c.precision)
            for tensor in c.model.tensors.values { widths.formUnion(tensor.shape) }
            batches.insert(c.input.shape[0])
            let logits = try c.expected.tensors["logits"]?.scalars(as: Double.self) ?? []
            largestLogit = max(largestLogit, logits.map(abs).max() ?? 0)
            if loss.hasSuffix("cross-entropy") {
                crossEntropyTargets.insert(c.targets.dtype.isFloatingPoint ? "probabilities" : "indices")
            }
            if let t = c.training {
                optimizers.insert(t.optimizer)
                partialLastBatch = partialLastBatch || c.input.shape[0] % t.batchSize != 0
                if t.optimizer == .sgd {
                    momentumKinds.insert(t.momentum == 0 ? "plain" : t.nesterov ? "nesterov" : "momentum")
                    if t.weightDecay > 0 { momentumKinds.insert("weight decay") }
                }
            }
        }
        #expect(kinds == Set(ModuleSpec.kinds))
        #expect(modes == [.training, .evaluation])
        #expect(nonDefaultArguments)
        #expect(losses == Set(Loss.allCases.map(\.rawValue)))
        #expect(depths.isSuperset(of: [1, 2, 3, 4]))
        #expect(precisions == [.float32, .float64])
        #expect(optimizers == Set(ReferenceTraining.OptimizerKind.allCases))
        #expect(momentumKinds == ["plain", "momentum", "nesterov", "weight decay"])
        #expect(widths.contains(1) && widths.contains { $0 % 2 == 1 && $0 > 1 })
        #expect(batches.contains(1) && batches.contains { $0 % 2 == 1 && $0 > 1 })
        #expect(largestLogit >= 1e4 * (1 - 1e-6))
        #expect(crossEntropyTargets == ["indices", "probabilities"])
        #expect(partialLastBatch)
    }

    @Test func missingFolderThrowsMissingFileNamingIt() {
        #expect {
            _ = try ReferenceCase.all(in: referenceFixtures + "/no-such-folder")
        } throws: { error in
            guard let e = error as? FormatError else { return false }
            return e.kind == .missingFile && e.file.hasSuffix("no-such-folder")
        }
    }

    @Test func folderWithoutCasesThrowsNamingIt() {
        // The Verification test folder itself holds Swift files and no case-* folder.
        let folder = referenceFixtures + "/../../Verification"
        #expect {
            _ = try ReferenceCase.all(in: folder)
        } throws: { error in
            (error as? FormatError)?.kind == .missingFile && (error as? FormatError)?.file == folder
        }
    }
}
