// libFuzzer target for the `.npy` reader (`Scripts/fuzz.sh npy`).
//
// In a plain `swift build` this is a no-op executable; built with `--sanitize fuzzer` libFuzzer
// supplies `main` and calls the entry point below with each input.
import Perceptron

/// Decodes `data` as a `.npy` file. Properties checked on every input the reader accepts:
/// writing the tensor as NumPy does and reading it back gives the same tensor, and every
/// accessor returns or throws without trapping.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzNPY(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let buffer = UnsafeRawBufferPointer(start: data, count: size)
    guard let tensor = try? NPY.decode(buffer, file: "<fuzz>") else { return 0 }
    if let encoded = try? NPY.encode(tensor) {
        let again = try? NPY.decode(encoded, file: "<fuzz re-encoded>")
        precondition(again == tensor, "npy: re-encoded file does not decode to the same tensor")
    }
    _ = try? tensor.scalars(as: Float.self, converting: true)
    _ = try? tensor.scalars(as: Double.self)
    _ = try? tensor.integers()
    _ = try? tensor.matrix(as: Float.self, converting: true)
    _ = SafetensorsFile(tensors: ["t": tensor]).encoded()
    return 0
}
