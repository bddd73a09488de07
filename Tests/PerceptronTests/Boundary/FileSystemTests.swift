import Dispatch
import Glibc
import Testing

@testable import Perceptron

/// Reading a FIFO (named pipe) with no writer fails at once with "not a regular file" naming the
/// path, instead of waiting forever for a writer; a device is refused the same way.
///
/// Should the read block, the watchdog opens the FIFO for writing after 20 s and closes it, which
/// ends the read, so a regression fails the test instead of hanging the suite.
@Test func readingAFIFOOrADeviceFailsAtOnceNamingThePath() throws {
    let folder = FormatTestSupport.temporaryFolder()
    let fifo = "\(folder)/x.npy"
    try #require(mkfifo(fifo, 0o644) == 0, "mkfifo failed")
    let finished = DispatchSemaphore(value: 0)
    let box = ResultBox()
    DispatchQueue.global().async {
        do { _ = try NPY.read(from: fifo) } catch { box.error = error }
        finished.signal()
    }
    if finished.wait(timeout: .now() + 20) == .timedOut {
        Issue.record("reading a FIFO blocked")
        let writer = open(fifo, O_WRONLY | O_NONBLOCK)
        if writer >= 0 { close(writer) }
        finished.wait()
    }
    let error = try #require(box.error as? FormatError, "reading a FIFO did not throw a FormatError")
    #expect(error.kind == .io)
    #expect(error.description.contains(fifo) && error.description.contains("not a regular file"), "\(error)")
    #expect(error.description.contains("FIFO"), "\(error)")

    #expect(throws: FormatError.self) { _ = try NPY.read(from: "/dev/zero") }
    do {
        _ = try ModelFile.read(from: "/dev/null", backend: NaiveBackend())
        Issue.record("a device was read as a model")
    } catch {
        #expect("\(error)".contains("/dev/null: I/O error") && "\(error)".contains("not a regular file"), "\(error)")
    }
}

/// The error a background read left (read after the semaphore says it finished).
private final class ResultBox: @unchecked Sendable {
    var error: (any Error)?
}
