import Testing

@testable import Perceptron

// The OpenBLAS thread count is process-global and Swift Testing runs tests in parallel, so
// this is the only test in the package that sets it; it restores the count it found. Other
// tests may run BLAS concurrently: OpenBLAS only reads the count at the start of each call,
// and every count gives the same results up to the rounding the agreement tests allow.
@Test(.enabled(if: BLASBackend.isAvailable))
func threadCountReadsBackWhatWasSetAndClampsToOneAndTheMaximum() throws {
    let original = BLASBackend.threadCount
    #expect(original >= 1)
    BLASBackend.setThreadCount(1)
    #expect(BLASBackend.threadCount == 1)
    BLASBackend.setThreadCount(0)
    #expect(BLASBackend.threadCount == 1)  // clamped: 0 would mean "all cores" to OpenBLAS
    BLASBackend.setThreadCount(Int.max)  // a size a user typed: clamped, never a trap
    #expect(BLASBackend.threadCount == BLASBackend.maximumThreadCount)
    #expect(try BLASBackend(threads: Int.max).threads == BLASBackend.maximumThreadCount)
    #expect(try BLASBackend(threads: -3).threads == 1)
    BLASBackend.setThreadCount(original)
    #expect(BLASBackend.threadCount == original)
}

@Test(.enabled(if: !BLASBackend.isAvailable))
func threadCountIsOneWithoutOpenBLAS() {
    BLASBackend.setThreadCount(4)
    #expect(BLASBackend.threadCount == 1)
    #expect(throws: BackendUnavailableError.self) { try BLASBackend() }
}
