// libFuzzer target for the model-file loader (`Scripts/fuzz.sh modelfile`): safetensors bytes
// through `ModelFile.decode` into a `Network`.
//
// In a plain `swift build` this is a no-op executable; built with `--sanitize fuzzer` libFuzzer
// supplies `main` and calls the entry point below with each input.
import Perceptron

/// Loads `data` as a model file. Properties checked on every input the loader accepts: saving
/// the network and loading it again gives the same layers, parameters and loss, and a forward
/// pass on one sample of the right width runs without trapping.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzModelFile(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let buffer = UnsafeRawBufferPointer(start: data, count: size)
    guard let contents = try? SafetensorsFile.decode(buffer, file: "<fuzz>"),
        let model = try? ModelFile.decode(contents, file: "<fuzz>", backend: NaiveBackend())
    else { return 0 }
    switch model {
    case .float32(let m): check(m)
    case .float64(let m): check(m)
    }
    return 0
}

private func check<T: Scalar>(_ model: SavedModel<T>) {
    let saved = ModelFile.encode(model.network, loss: model.loss)
    let again = try? ModelFile.decode(
        SafetensorsFile.decode(saved.encoded(), file: "<fuzz re-encoded>"), file: "<fuzz re-encoded>", as: T.self,
        backend: NaiveBackend())
    precondition(again?.network.layers == model.network.layers, "model file: saved network does not load back the same")
    precondition(again?.loss == model.loss, "model file: loss does not load back the same")
    let input = Matrix<T>(rows: 1, columns: model.network.inputSize)
    _ = try? model.network.headOutput(input, loss: model.loss)
}
