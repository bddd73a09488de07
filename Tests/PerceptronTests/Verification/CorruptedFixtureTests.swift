import Glibc
import Testing

@testable import Perceptron

/// A temporary copy of the committed case `name`, removed when the value is released.
final class FixtureCopy {
    let folder: String

    init(of name: String) throws {
        var template = Array("/tmp/perceptron-fixture-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        guard made != nil else { throw FormatError(file: "/tmp", kind: .io, expected: "mkdtemp", found: "failure") }
        folder = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) } + "/case-" + name
        mkdir(folder, 0o755)
        let source = referenceFixtures + "/case-" + name
        for file in try FileSystem.contentsOfFolder(source) {
            try AtomicFile.write(try FileSystem.read(source + "/" + file), to: folder + "/" + file)
        }
    }

    deinit {
        for file in (try? FileSystem.contentsOfFolder(folder)) ?? [] { unlink(folder + "/" + file) }
        rmdir(folder)
        rmdir(FileSystem.split(folder).folder)
    }

    /// Multiplies the largest-magnitude element of tensor `tensor` in the safetensors file
    /// `file` by `factor` (so the norm-wise relative change is `factor − 1`), rewriting the file
    /// through the package's writer.
    func scale(_ tensor: String, by factor: Double, in file: String) throws {
        let path = folder + "/" + file
        var contents = try SafetensorsFile.read(from: path)
        let original = try #require(contents.tensors[tensor])
        if original.dtype == .float64 {
            var values = try original.scalars(as: Double.self)
            let index = try #require(values.indices.max { abs(values[$0]) < abs(values[$1]) })
            values[index] *= factor
            contents.tensors[tensor] = try Tensor(values, shape: original.shape)
        } else {
            var values = try original.scalars(as: Float.self)
            let index = try #require(values.indices.max { abs(values[$0]) < abs(values[$1]) })
            values[index] *= Float(factor)
            contents.tensors[tensor] = try Tensor(values, shape: original.shape)
        }
        try contents.write(to: path)
    }

    /// Removes tensor `tensor` from the safetensors file `file`.
    func remove(_ tensor: String, from file: String) throws {
        let path = folder + "/" + file
        var contents = try SafetensorsFile.read(from: path)
        contents.tensors[tensor] = nil
        try contents.write(to: path)
    }
}

/// The comparisons can fail: a copy of a fixture with one expected value changed by a little
/// more than the tolerance fails exactly the check that reads it.
@Suite struct CorruptedFixtureTests {
    func checks(_ copy: FixtureCopy) throws -> [String: VerificationCheck] {
        let reference = try ReferenceCase(folder: copy.folder)
        var byKind: [String: VerificationCheck] = [:]
        for check in try reference.checks() { byKind[String(check.name.split(separator: " ").last ?? "")] = check }
        return byKind
    }

    @Test func unchangedCopyPasses() throws {
        let copy = try FixtureCopy(of: "relu-ce-indices")
        #expect(try checks(copy).values.allSatisfy(\.passed))
    }

    /// The largest element of dL/dW of the last layer off by a relative 1e-8 (100× the 1e-10 tolerance).
    @Test func corruptedGradientFailsTheGradientsCheckOnly() throws {
        let copy = try FixtureCopy(of: "relu-ce-indices")
        try copy.scale("2.weight", by: 1 + 1e-8, in: "expected.safetensors")
        let result = try checks(copy)
        #expect(result["forward"]?.passed == true)
        #expect(result["gradients"]?.passed == false)
        #expect(result["gradients"]?.discrepancy.worst == "2.weight")
    }

    /// The largest logit off by a relative 1e-8.
    @Test func corruptedLogitFailsTheForwardCheckOnly() throws {
        let copy = try FixtureCopy(of: "tanh-bce-depth4")
        try copy.scale("logits", by: 1 + 1e-8, in: "expected.safetensors")
        let result = try checks(copy)
        #expect(result["forward"]?.passed == false)
        #expect(result["forward"]?.discrepancy.worst == "logits")
        #expect(result["gradients"]?.passed == true)
    }

    /// The largest trained weight of the first layer off by a relative 1e-6 (100× the 1e-8 tolerance after training).
    @Test func corruptedTrainedParameterFailsTheTrainedCheckOnly() throws {
        let copy = try FixtureCopy(of: "train-adam")
        try copy.scale("0.weight", by: 1 + 1e-6, in: "trained.safetensors")
        let result = try checks(copy)
        #expect(result["forward"]?.passed == true)
        #expect(result["gradients"]?.passed == true)
        #expect(result["trained"]?.passed == false)
    }

    /// A float32 loss off by a relative 1e-3 (100× the 1e-5 Float tolerance).
    @Test func corruptedFloat32LossFailsTheForwardCheck() throws {
        let copy = try FixtureCopy(of: "float32-gelu-bce")
        try copy.scale("loss", by: 1 + 1e-3, in: "expected.safetensors")
        let result = try checks(copy)
        #expect(result["forward"]?.passed == false)
        #expect(result["forward"]?.discrepancy.worst == "loss")
    }

    @Test func missingExpectedTensorThrowsNamingTheFileAndTensor() throws {
        let copy = try FixtureCopy(of: "sigmoid-mse")
        try copy.remove("input", from: "expected.safetensors")
        let reference = try ReferenceCase(folder: copy.folder)
        #expect {
            _ = try reference.checks()
        } throws: { error in
            guard let e = error as? FormatError else { return false }
            return e.kind == .missingTensor && e.file.hasSuffix("expected.safetensors") && e.description.contains("input")
        }
    }

    @Test func extraExpectedTensorThrowsUnexpectedTensor() throws {
        let copy = try FixtureCopy(of: "sigmoid-mse")
        let path = copy.folder + "/expected.safetensors"
        var contents = try SafetensorsFile.read(from: path)
        contents.tensors["4.weight"] = contents.tensors["2.weight"]
        try contents.write(to: path)
        #expect {
            _ = try ReferenceCase(folder: copy.folder).checks()
        } throws: { error in
            guard let e = error as? FormatError else { return false }
            return e.kind == .unexpectedTensor && e.description.contains("4.weight")
        }
    }

    @Test func missingTrainedFileThrowsMissingFile() throws {
        let copy = try FixtureCopy(of: "train-sgd")
        unlink(copy.folder + "/trained.safetensors")
        #expect {
            _ = try ReferenceCase(folder: copy.folder)
        } throws: { error in
            (error as? FormatError)?.kind == .missingFile
                && (error as? FormatError)?.file.hasSuffix("trained.safetensors") == true
        }
    }

    @Test func caseDescriptionWithoutOptimizerThrowsInvalidMetadata() throws {
        let copy = try FixtureCopy(of: "train-sgd")
        let json = #"{"description": "x", "dtype": "float64", "training": true}"#
        try AtomicFile.write(Array(json.utf8), to: copy.folder + "/case.json")
        #expect {
            _ = try ReferenceCase(folder: copy.folder)
        } throws: { error in
            guard let e = error as? FormatError else { return false }
            return e.kind == .invalidMetadata && e.file.hasSuffix("case.json") && e.description.contains("optimizer")
        }
    }

    @Test func garbageCaseDescriptionThrowsInvalidHeaderWithOffset() throws {
        let copy = try FixtureCopy(of: "relu-ce-indices")
        try AtomicFile.write(Array(#"{"description": "x", "dtype": }"#.utf8), to: copy.folder + "/case.json")
        #expect {
            _ = try ReferenceCase(folder: copy.folder)
        } throws: { error in
            guard let e = error as? FormatError else { return false }
            return e.kind == .invalidHeader && e.offset != nil && e.file.hasSuffix("case.json")
        }
    }
}
