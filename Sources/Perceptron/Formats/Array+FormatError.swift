extension [UInt8] {
    /// `withUnsafeMutableBytes` for a body that throws ``FormatError`` (the standard library's
    /// version is `rethrows`, which erases the error type).
    mutating func withFormatErrorBytes<R>(
        _ body: (UnsafeMutableRawBufferPointer) throws(FormatError) -> R
    ) throws(FormatError) -> R {
        let result: Result<R, FormatError> = withUnsafeMutableBytes { buffer in
            do throws(FormatError) { return .success(try body(buffer)) } catch { return .failure(error) }
        }
        return try result.get()
    }
}
