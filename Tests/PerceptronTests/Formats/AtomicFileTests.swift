import Glibc
import Testing

@testable import Perceptron

private typealias Support = FormatTestSupport

@Test func atomicWriteReplacesTheFileAndLeavesNoTemporary() throws {
    let folder = Support.temporaryFolder()
    let path = "\(folder)/out.bin"
    try AtomicFile.write([1, 2, 3], to: path)
    try AtomicFile.write([4, 5], to: path)
    #expect(try FileSystem.read(path) == [4, 5])
    #expect(Support.listing(folder) == ["out.bin"])
}

@Test func failureBeforeRenameLeavesOldFileIntactAndRemovesTemporary() throws {
    let folder = Support.temporaryFolder()
    let path = "\(folder)/model.safetensors"
    try AtomicFile.write([1, 2, 3], to: path)
    let injected = FormatError(file: path, kind: .io, expected: "no failure", found: "injected failure")
    let e = Support.formatError { () throws(FormatError) in
        try AtomicFile.write([9, 9, 9, 9], to: path, beforeRename: { () throws(FormatError) in throw injected })
    }
    #expect(e == injected)
    #expect(try FileSystem.read(path) == [1, 2, 3])
    #expect(Support.listing(folder) == ["model.safetensors"])
}

@Test func failedRenameLeavesDestinationAndFolderUnchanged() throws {
    let folder = Support.temporaryFolder()
    // The destination is a non-empty folder: rename(2) refuses to replace it.
    let destination = "\(folder)/taken"
    #expect(mkdir(destination, 0o755) == 0)
    try AtomicFile.write([1], to: "\(destination)/inside")
    let e = Support.formatError { () throws(FormatError) in try AtomicFile.write([7, 7], to: destination) }
    #expect(e?.kind == .io)
    #expect(e?.description.contains(destination) == true)
    #expect(Support.listing(folder) == ["taken"])
    #expect(try FileSystem.read("\(destination)/inside") == [1])
}

@Test func writingIntoAMissingFolderThrowsNamingIt() {
    let e = Support.formatError { () throws(FormatError) in try AtomicFile.write([1], to: "/nonexistent-perceptron/x.npy") }
    #expect(e?.kind == .io)
    #expect(e?.description.contains("/nonexistent-perceptron") == true)
}

@Test func atomicWriteKeepsTheExistingFilesPermissions() throws {
    let folder = Support.temporaryFolder()
    let path = "\(folder)/p.bin"
    try AtomicFile.write([1], to: path)
    var st = stat()
    #expect(stat(path, &st) == 0 && st.st_mode & 0o777 == 0o644)
    #expect(chmod(path, 0o600) == 0)
    try AtomicFile.write([2], to: path)
    #expect(stat(path, &st) == 0 && st.st_mode & 0o777 == 0o600)
}

/// The temporary files of a destination are exactly `.NAME.tmp-` plus six characters in its
/// folder: not another destination's, not a longer or shorter suffix, and listing removes nothing.
@Test func staleTemporaryFilesAreExactlyTheDestinationsMkstempNames() throws {
    let folder = Support.temporaryFolder()
    let names = [
        "model.safetensors", ".model.safetensors.tmp-Ab3x9Z", ".model.safetensors.tmp-000000",
        ".model.safetensors.tmp-short", ".model.safetensors.tmp-toolong1", ".other.safetensors.tmp-Ab3x9Z",
        "model.safetensors.tmp-Ab3x9Z",
    ]
    for name in names { try AtomicFile.write([1], to: "\(folder)/\(name)") }
    #expect(
        AtomicFile.staleTemporaryFiles(beside: "\(folder)/model.safetensors")
            == ["\(folder)/.model.safetensors.tmp-000000", "\(folder)/.model.safetensors.tmp-Ab3x9Z"])
    #expect(Support.listing(folder) == names.sorted())
    #expect(AtomicFile.staleTemporaryFiles(beside: "\(folder)/missing/model.safetensors").isEmpty)
}

/// The next save to a destination removes the temporary files a killed save to it left (names of
/// exactly the `mkstemp` pattern), and nothing else: not another destination's, not a name of
/// another length.
@Test func savingRemovesOnlyTheDestinationsOwnStaleTemporaryFiles() throws {
    let folder = Support.temporaryFolder()
    let kept = [
        ".model.safetensors.tmp-short", ".model.safetensors.tmp-toolong1", ".other.safetensors.tmp-Ab3x9Z",
        "model.safetensors.tmp-Ab3x9Z",
    ]
    for name in kept + [".model.safetensors.tmp-Ab3x9Z", ".model.safetensors.tmp-000000"] {
        ReliabilitySupport.write([7], to: "\(folder)/\(name)")
    }
    try AtomicFile.write([1], to: "\(folder)/model.safetensors")
    #expect(Support.listing(folder) == (kept + ["model.safetensors"]).sorted())
}

/// A symbolic link as destination is written through: the file it points to (in another
/// folder, by a relative link) gets the new bytes, and the link stays a link.
@Test func writingThroughASymbolicLinkReplacesItsTargetAndKeepsTheLink() throws {
    let folder = Support.temporaryFolder()
    #expect(mkdir("\(folder)/real", 0o755) == 0)
    try AtomicFile.write([1], to: "\(folder)/real/model.safetensors")
    #expect(symlink("real/model.safetensors", "\(folder)/link.safetensors") == 0)
    try AtomicFile.write([2, 3], to: "\(folder)/link.safetensors")
    var st = stat()
    #expect(lstat("\(folder)/link.safetensors", &st) == 0 && st.st_mode & S_IFMT == S_IFLNK)
    #expect(try FileSystem.read("\(folder)/real/model.safetensors") == [2, 3])
    #expect(Support.listing("\(folder)/real") == ["model.safetensors"])
}

/// A destination that exists and is not a regular file (a folder, a FIFO, a character device) is
/// refused naming it, and left as it was.
@Test func writingOverAFolderAFIFOOrADeviceIsRefused() throws {
    let folder = Support.temporaryFolder()
    #expect(mkdir("\(folder)/dir", 0o755) == 0)
    #expect(mkfifo("\(folder)/fifo", 0o644) == 0)
    for path in ["\(folder)/dir", "\(folder)/fifo", "/dev/null"] {
        #expect(throws: FormatError.self) { try AtomicFile.checkWritable(path) }
        do {
            try AtomicFile.write([1], to: path)
            Issue.record("\(path) was replaced")
        } catch {
            #expect(error.description.contains(path) && error.description.contains("not a regular file"), "\(error)")
        }
    }
    var st = stat()
    #expect(stat("/dev/null", &st) == 0 && st.st_mode & S_IFMT == S_IFCHR)
    #expect(Support.listing(folder) == ["dir", "fifo"])
}
