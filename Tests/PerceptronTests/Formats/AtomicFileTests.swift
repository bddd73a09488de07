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
        ".model.safetensors.tmp-Ab3x9Z", ".model.safetensors.tmp-000000", ".model.safetensors.tmp-short",
        ".model.safetensors.tmp-toolong1", ".other.safetensors.tmp-Ab3x9Z", "model.safetensors.tmp-Ab3x9Z",
        "model.safetensors",
    ]
    for name in names { try AtomicFile.write([1], to: "\(folder)/\(name)") }
    #expect(
        AtomicFile.staleTemporaryFiles(beside: "\(folder)/model.safetensors")
            == ["\(folder)/.model.safetensors.tmp-000000", "\(folder)/.model.safetensors.tmp-Ab3x9Z"])
    #expect(Support.listing(folder) == names.sorted())
    #expect(AtomicFile.staleTemporaryFiles(beside: "\(folder)/missing/model.safetensors").isEmpty)
}
