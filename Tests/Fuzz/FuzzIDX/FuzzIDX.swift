// libFuzzer target for the IDX reader, plain and gzip (`Scripts/fuzz.sh idx`).
//
// In a plain `swift build` this is a no-op executable; built with `--sanitize fuzzer` libFuzzer
// supplies `main` and calls the entry point below with each input.
import Perceptron

/// Decodes `data` as an IDX file (gzip when it starts with `1f 8b`). Properties checked on every
/// input the reader accepts: the plain encoding decodes to the same file, every element converts,
/// and a rank-3 unsigned-byte file pairs with labels as a data set would, without trapping.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzIDX(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let buffer = UnsafeRawBufferPointer(start: data, count: size)
    guard let file = try? IDXFile.decode(buffer, file: "<fuzz>") else { return 0 }
    let again = try? IDXFile.decode(file.encoded(), file: "<fuzz re-encoded>")
    precondition(again == file, "idx: re-encoded file does not decode to the same file")
    let values = file.scalars(as: Float.self)
    precondition(values.count == file.count, "idx: element count")
    _ = file.scalars(as: Double.self)
    if file.elementType == .uint8, file.dimensions.count == 3 {
        let (height, width) = (file.dimensions[1], file.dimensions[2])
        let (pixels, overflow) = height.multipliedReportingOverflow(by: width)
        // Zero-pixel images cost no data, so the count can be 2³² − 1: only pair a count that
        // a label file of this size could hold (labels are one byte each).
        if !overflow, file.dimensions[0] <= size,
            let images = try? Matrix(rows: file.dimensions[0], columns: pixels, elements: values)
        {
            _ = try? LabeledImages(images: images, labels: Array(repeating: 0, count: images.rows), height: height, width: width)
        }
    }
    return 0
}
