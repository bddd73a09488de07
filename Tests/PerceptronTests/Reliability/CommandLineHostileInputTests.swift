import Glibc
import Testing

@testable import Perceptron

private typealias Support = ReliabilitySupport

/// One way a user can hand the `perceptron` command a bad file, and what the one-line error
/// must say.
struct HostileInvocation: Sendable, CustomTestStringConvertible {
    /// What is wrong, as the test's name.
    var name: String
    /// The files to create in the working folder, by relative path.
    var files: [String: [UInt8]]
    /// The command line after `perceptron`.
    var arguments: [String]
    /// The file the error line must name.
    var culprit: String
    /// Words the error line must contain (case-insensitive), naming the problem.
    var keywords: [String]

    var testDescription: String { name }
}

// MARK: - Valid inputs to break

/// `v[i] = sin(i)`: deterministic, varied, finite values.
private func values(_ count: Int) -> [Float] { (0..<count).map { Float.sin(Float($0)) } }

/// A 4 → 5 → 3 model (linear, relu, linear) in float32, as issue 5 names its tensors.
private let modelTensors: [String: Tensor] = {
    func t(_ shape: [Int]) -> Tensor { try! Tensor(values(shape.reduce(1, *)), shape: shape) }  // constant input
    return ["0.weight": t([5, 4]), "0.bias": t([5]), "2.weight": t([3, 5]), "2.bias": t([3])]
}()
private let modelMetadata = [ModelFile.layersKey: "linear,relu,linear", ModelFile.lossKey: "cross-entropy"]
private let model = SafetensorsFile(tensors: modelTensors, metadata: modelMetadata).encoded()

/// The model's header text and data area, to forge variants from.
private let (modelHeader, modelData): (String, [UInt8]) = {
    let n = model.withUnsafeBytes { Int(UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self))) }
    return (String(decoding: model[8..<8 + n], as: UTF8.self), Array(model[(8 + n)...]))
}()

/// A safetensors file with `header` (as bytes) before `data`, announcing `length` bytes of header.
private func safetensors(_ header: [UInt8], data: [UInt8] = modelData, announcing length: UInt64? = nil) -> [UInt8] {
    withUnsafeBytes(of: (length ?? UInt64(header.count)).littleEndian) { Array($0) } + header + data
}

/// The model with `old` replaced by `new` in its header text.
private func forged(_ old: String, _ new: String) -> [UInt8] {
    precondition(modelHeader.contains(old), "the header has no \(old)")
    return safetensors(Array(modelHeader.replacing(old, with: new).utf8))
}

/// The model file of other tensors or metadata (a structurally valid safetensors file).
private func variant(removing name: String? = nil, replacing: [String: Tensor] = [:], layers: String? = nil) -> [UInt8] {
    var tensors = modelTensors
    if let name { tensors[name] = nil }
    tensors.merge(replacing) { $1 }
    var metadata = modelMetadata
    if let layers { metadata[ModelFile.layersKey] = layers }
    return SafetensorsFile(tensors: tensors, metadata: metadata).encoded()
}

private func npy(_ tensor: Tensor) -> [UInt8] { try! NPY.encode(tensor) }  // float and integer dtypes only
/// A version-1.0 `.npy` file with the given header dict (padded as NumPy pads it) and data.
private func npy(header dict: String, data: [UInt8] = []) -> [UInt8] {
    var text = Array(dict.utf8)
    text += [UInt8](repeating: UInt8(ascii: " "), count: 63 - (10 + text.count) % 64) + [UInt8(ascii: "\n")]
    return [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(text.count & 0xFF), UInt8(text.count >> 8)] + text + data
}

private let samples = npy(try! Tensor(values(8), shape: [2, 4]))
private let labels = npy(try! Tensor(integers: [0, 2], shape: [2], dtype: .int64))

/// An IDX file of unsigned bytes.
private func idx(_ dimensions: [Int], _ data: [UInt8]) -> [UInt8] {
    try! IDXFile(elementType: .uint8, dimensions: dimensions, data: data).encoded()
}

/// A folder `d` of the four MNIST-format files: 6 training and 3 test images of 2×2 pixels.
private func dataset(replacing name: String? = nil, with bytes: [UInt8] = []) -> [String: [UInt8]] {
    var files = [
        "d/train-images-idx3-ubyte": idx([6, 2, 2], (0..<24).map { UInt8($0 * 10) }),
        "d/train-labels-idx1-ubyte": idx([6], [0, 1, 2, 0, 1, 2]),
        "d/t10k-images-idx3-ubyte": idx([3, 2, 2], (0..<12).map { UInt8($0 * 20) }),
        "d/t10k-labels-idx1-ubyte": idx([3], [2, 1, 0]),
    ]
    if let name {
        files[name] = nil
        files[name.hasSuffix(".gz") ? name : name] = bytes
    }
    return files
}

private let predict = ["predict", "--model", "m.safetensors", "--input", "x.npy", "--output", "y.npy"]
private let train = ["train", "--input", "x.npy", "--targets", "t.npy", "--hidden", "5", "--epochs", "1", "--output", "out.safetensors"]

/// A `predict` run on a broken model file.
private func badModel(_ name: String, _ bytes: [UInt8], _ keywords: String...) -> HostileInvocation {
    HostileInvocation(
        name: name, files: ["m.safetensors": bytes, "x.npy": samples], arguments: predict, culprit: "m.safetensors",
        keywords: keywords)
}

/// Every bad-input class of issues 5 and 8, through the command.
let hostileInvocations: [HostileInvocation] = [
    HostileInvocation(
        name: "missing model file", files: ["x.npy": samples], arguments: predict, culprit: "m.safetensors",
        keywords: ["missing"]),
    badModel("model truncated inside the length prefix", Array(model.prefix(5)), "truncated"),
    badModel("model truncated inside the header", Array(model.prefix(40)), "truncated"),
    badModel("model truncated inside the data", Array(model.dropLast(3)), "data_offsets"),
    badModel("header length past the end", safetensors(Array(modelHeader.utf8), announcing: 4096), "header length past the end"),
    badModel("header over 100 MB", safetensors(Array(modelHeader.utf8), announcing: 200_000_000), "header too large"),
    badModel("garbage JSON", safetensors(Array(modelHeader.utf8.dropLast(12))), "invalid header"),
    badModel("header that is not JSON at all", safetensors(Array("not json, just text  ".utf8), data: []), "invalid header"),
    badModel(
        "invalid UTF-8 in the header",
        safetensors(Array(modelHeader.utf8).map { $0 == UInt8(ascii: "w") ? 0xFF : $0 }), "UTF-8"),
    badModel("offsets past the data area", forged("\"data_offsets\":[0,", "\"data_offsets\":[0,9"), "data_offsets"),
    badModel("negative offset", forged("\"data_offsets\":[0,", "\"data_offsets\":[-8,"), "data_offsets"),
    badModel("overlapping offsets", forged("\"data_offsets\":[100,112]", "\"data_offsets\":[96,108]"), "overlap"),
    badModel("dtype size inconsistent with the byte range", forged("{\"dtype\":\"F32\",\"shape\":[3]", "{\"dtype\":\"F64\",\"shape\":[3]"), "size mismatch"),
    badModel("shape whose product overflows", forged("\"shape\":[3,5]", "\"shape\":[4294967296,4294967296]"), "invalid shape"),
    badModel("duplicate tensor names", forged("\"2.bias\"", "\"0.bias\""), "duplicate"),
    badModel("tensor named by the layer list missing", variant(removing: "2.bias"), "missing tensor", "2.bias"),
    badModel("unknown layer kind", variant(layers: "linear,swish,linear"), "swish"),
    badModel(
        "layer widths that do not chain", variant(replacing: ["2.weight": try! Tensor(values(18), shape: [3, 6])]),
        "2.weight"),
    badModel(
        "two dtypes in one model", variant(replacing: ["0.bias": try! Tensor(values(5).map(Double.init), shape: [5])]),
        "dtype"),
    badModel(
        "NaN parameter", variant(replacing: ["0.bias": try! Tensor([1, 2, .nan, 4, 5] as [Float], shape: [5])]),
        "non-finite"),
    HostileInvocation(
        name: "input width not matching the first layer",
        files: ["m.safetensors": model, "x.npy": npy(try! Tensor(values(14), shape: [2, 7]))], arguments: predict,
        culprit: "x.npy", keywords: ["7"]),
    HostileInvocation(
        name: "missing input file", files: ["m.safetensors": model], arguments: predict, culprit: "x.npy",
        keywords: ["missing"]),
    HostileInvocation(
        name: "input truncated", files: ["m.safetensors": model, "x.npy": Array(samples.dropLast(5))], arguments: predict,
        culprit: "x.npy", keywords: ["truncated"]),
    HostileInvocation(
        name: "input not an npy file", files: ["m.safetensors": model, "x.npy": Array("a,b\n1,2\n".utf8)],
        arguments: predict, culprit: "x.npy", keywords: ["invalid header"]),
    HostileInvocation(
        name: "input header length past the end",
        files: ["m.safetensors": model, "x.npy": Array(samples.prefix(8)) + [0xFF, 0x7F] + Array(samples.dropFirst(10))],
        arguments: predict, culprit: "x.npy", keywords: ["header length past the end"]),
    HostileInvocation(
        name: "gradients from a model missing a tensor",
        files: ["m.safetensors": variant(removing: "0.weight"), "x.npy": samples, "t.npy": labels],
        arguments: ["gradients", "--model", "m.safetensors", "--input", "x.npy", "--targets", "t.npy", "--output", "g.safetensors"],
        culprit: "m.safetensors", keywords: ["0.weight"]),
    HostileInvocation(
        name: "evaluate with an unknown layer kind",
        files: ["m.safetensors": variant(layers: "linear,swish,linear"), "x.npy": samples, "t.npy": labels],
        arguments: ["evaluate", "--model", "m.safetensors", "--input", "x.npy", "--targets", "t.npy"],
        culprit: "m.safetensors", keywords: ["swish"]),
    HostileInvocation(
        name: "dropout probability above 1",
        files: ["m.safetensors": variant(layers: "linear,dropout(1.5),linear"), "x.npy": samples, "t.npy": labels],
        arguments: ["evaluate", "--model", "m.safetensors", "--input", "x.npy", "--targets", "t.npy"],
        culprit: "m.safetensors", keywords: ["dropout", "1.5", "between 0 and 1"]),
    HostileInvocation(
        name: "dropout argument not a number",
        files: ["m.safetensors": variant(layers: "linear,dropout(x),linear"), "x.npy": samples, "t.npy": labels],
        arguments: ["predict", "--model", "m.safetensors", "--input", "x.npy", "--output", "p.npy"],
        culprit: "m.safetensors", keywords: ["dropout(x)", "not a JSON number"]),
    HostileInvocation(
        name: "batch_norm without running_var",
        files: [
            "m.safetensors": variant(
                replacing: [
                    "1.weight": try! Tensor(values(5), shape: [5]), "1.bias": try! Tensor(values(5), shape: [5]),
                    "1.running_mean": try! Tensor(values(5), shape: [5]),
                    "1.num_batches_tracked": try! Tensor(integers: [3], shape: [], dtype: .int64),
                ], layers: "linear,batch_norm,linear"),
            "x.npy": samples, "t.npy": labels,
        ],
        arguments: ["evaluate", "--model", "m.safetensors", "--input", "x.npy", "--targets", "t.npy"],
        culprit: "m.safetensors", keywords: ["1.running_var", "batch_norm"]),
    HostileInvocation(
        name: "layer_norm of the wrong width",
        files: [
            "m.safetensors": variant(
                replacing: ["1.weight": try! Tensor(values(4), shape: [4]), "1.bias": try! Tensor(values(4), shape: [4])],
                layers: "linear,layer_norm,linear"),
            "x.npy": samples, "t.npy": labels,
        ],
        arguments: ["gradients", "--model", "m.safetensors", "--input", "x.npy", "--targets", "t.npy", "--output", "g.safetensors"],
        culprit: "m.safetensors", keywords: ["1.weight", "[5]"]),
    HostileInvocation(
        name: "train from a truncated initial model",
        files: ["m.safetensors": Array(model.prefix(100)), "x.npy": samples, "t.npy": labels],
        arguments: ["train", "--input", "x.npy", "--targets", "t.npy", "--epochs", "1", "--output", "out.safetensors", "--init", "m.safetensors"],
        culprit: "m.safetensors", keywords: ["truncated"]),
    HostileInvocation(
        name: "targets count not matching the samples",
        files: ["x.npy": samples, "t.npy": npy(try! Tensor(integers: [0, 1, 2], shape: [3], dtype: .int32))],
        arguments: train, culprit: "t.npy", keywords: ["3"]),
    HostileInvocation(
        name: "targets truncated", files: ["x.npy": samples, "t.npy": Array(labels.dropLast(1))], arguments: train,
        culprit: "t.npy", keywords: ["truncated"]),
    HostileInvocation(
        name: "targets with a shape whose product overflows",
        files: [
            "x.npy": samples,
            "t.npy": npy(header: "{'descr': '<i8', 'fortran_order': False, 'shape': (0, 9999999999999, 9999999999), }"),
        ],
        arguments: train, culprit: "t.npy", keywords: ["invalid shape"]),
    HostileInvocation(
        name: "no samples, with an absurd feature width",
        files: [
            "x.npy": npy(header: "{'descr': '<f4', 'fortran_order': False, 'shape': (0, 1099511627776), }"),
            "t.npy": npy(header: "{'descr': '<f4', 'fortran_order': False, 'shape': (0, 3), }"),
        ],
        arguments: train + ["--loss", "mse"], culprit: "x.npy", keywords: ["no samples"]),
    HostileInvocation(
        name: "IDX images truncated",
        files: dataset(replacing: "d/train-images-idx3-ubyte", with: Array(idx([6, 2, 2], [UInt8](repeating: 1, count: 24)).dropLast(7))),
        arguments: ["train", "--data-dir", "d", "--hidden", "4", "--epochs", "1", "--output", "out.safetensors"],
        culprit: "train-images-idx3-ubyte", keywords: ["truncated"]),
    HostileInvocation(
        name: "IDX labels gzip corrupt",
        files: dataset(replacing: "d/t10k-labels-idx1-ubyte", with: []).merging(
            ["d/t10k-labels-idx1-ubyte.gz": [0x1F, 0x8B, 0x08, 0x00, 0, 0, 0, 0, 0, 0x03, 0xDE, 0xAD, 0xBE, 0xEF, 0, 0, 0, 0, 0, 0]]
        ) { $1 }.filter { $0.key != "d/t10k-labels-idx1-ubyte" },
        arguments: ["train", "--data-dir", "d", "--hidden", "4", "--epochs", "1", "--output", "out.safetensors"],
        culprit: "t10k-labels-idx1-ubyte.gz", keywords: ["gzip"]),
]

/// Each bad input, as a user runs the command: a non-zero exit (not a crash), exactly one line
/// on stderr naming the file and the problem, and nothing written: the folder holds exactly the
/// files the test put there (no output, no temporary file).
@Test(.enabled(if: Support.commandPath != nil), arguments: hostileInvocations)
func hostileInputFailsWithOneLineNamingTheFileAndWritesNothing(_ invocation: HostileInvocation) throws {
    let folder = FormatTestSupport.temporaryFolder()
    var expected = Set<String>()
    for (path, bytes) in invocation.files {
        if path.hasPrefix("d/") {
            _ = mkdir("\(folder)/d", 0o755)
            expected.insert("d")
        }
        Support.write(bytes, to: "\(folder)/\(path)")
        expected.insert(String(path.split(separator: "/")[0]))
    }
    let outcome = try Support.perceptron(invocation.arguments, in: folder)
    #expect(outcome.signal == nil, "crashed with signal \(outcome.signal ?? 0): \(outcome.standardError)")
    #expect(outcome.status != 0)
    let lines = outcome.errorLines
    #expect(lines.count == 1, "stderr: \(outcome.standardError)")
    let line = lines.last.map(String.init) ?? ""
    #expect(line.contains(invocation.culprit), "does not name \(invocation.culprit): \(line)")
    for word in invocation.keywords {
        #expect(line.lowercased().contains(word.lowercased()), "does not say \(word): \(line)")
    }
    #expect(Set(FormatTestSupport.listing(folder)) == expected, "files written: \(FormatTestSupport.listing(folder))")
    if expected.contains("d") {
        #expect(FormatTestSupport.listing("\(folder)/d").count == 4)
    }
}
