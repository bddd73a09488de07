// libFuzzer target for the safetensors reader (`Scripts/fuzz.sh safetensors`).
//
// In a plain `swift build` this is a no-op executable; built with `--sanitize fuzzer` libFuzzer
// supplies `main` and calls the entry point below with each input.
import Perceptron

/// Decodes `data` as a safetensors file. Properties checked on every input the reader accepts:
/// re-encoding and decoding gives the same file (the writer emits only what the reader accepts),
/// and every accessor on every tensor returns or throws without trapping.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSafetensors(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let buffer = UnsafeRawBufferPointer(start: data, count: size)
    guard let file = try? SafetensorsFile.decode(buffer, file: "<fuzz>") else { return 0 }
    let again = try? SafetensorsFile.decode(file.encoded(), file: "<fuzz re-encoded>")
    precondition(again == file, "safetensors: re-encoded file does not decode to the same tensors and metadata")
    for tensor in file.tensors.values {
        _ = try? tensor.scalars(as: Float.self, converting: true)
        _ = try? tensor.scalars(as: Double.self)
        _ = try? tensor.integers()
        _ = try? tensor.matrix(as: Double.self, converting: true)
        _ = try? NPY.encode(tensor)
    }
    return 0
}
