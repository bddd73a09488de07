/// The one way the package writes a file: all of it, or none of it.
///
/// The bytes go to a temporary file in the destination's folder, which is flushed (`fsync`),
/// given the destination's permissions (or `0644`), and renamed over the destination; then the
/// folder is flushed so the rename itself is durable. A reader, or a crash at any moment, sees
/// either the old complete file or the new complete file. On any failure the temporary file is
/// removed and the destination is untouched.
///
/// A destination that is a symbolic link is written through: the file the link ends at is
/// replaced (atomically, in its own folder) and the link stays. A destination that exists and is
/// not a regular file (a folder, a FIFO, a device such as `/dev/full`) is refused, never replaced.
///
/// The temporary file of `folder/NAME` is `folder/.NAME.tmp-XXXXXX` (hidden, six random
/// characters from `mkstemp`). A process killed (SIGKILL, power loss) between creating it and
/// the rename leaves it behind; the next save to the same destination removes such files (only
/// names of exactly that pattern), so two processes must not save to the same path at once.
/// A process that catches a signal can remove the one it is writing with
/// ``removeTemporaryFileInProgress()``.
public enum AtomicFile {
    /// Replaces the file at `path` (or the file a symbolic link there points to) by `bytes`,
    /// atomically, first removing temporary files an earlier, killed save to it left.
    /// - Throws: ``FormatError`` of kind ``FormatError/Kind/io`` naming the path and the
    ///   system's reason; the destination is then unchanged.
    public static func write(_ bytes: [UInt8], to path: String) throws(FormatError) {
        try write(bytes, to: path, beforeRename: {})
    }

    /// The temporary files of `path` present in its folder (`.NAME.tmp-XXXXXX`), as paths,
    /// sorted: left by a killed save, or belonging to a save in progress. Empty when the
    /// folder cannot be read. Calls `opendir` and `readdir`.
    public static func staleTemporaryFiles(beside path: String) -> [String] {
        let (folder, name) = FileSystem.split(path)
        let prefix = ".\(name).tmp-"
        let names = (try? FileSystem.contentsOfFolder(folder)) ?? []
        // mkstemp replaces exactly the six X's of the template.
        return names.filter { $0.hasPrefix(prefix) && $0.utf8.count == prefix.utf8.count + 6 }.map { "\(folder)/\($0)" }
    }

    /// Checks, without writing anything, that ``write(_:to:)`` could create or replace the file
    /// at `path`: a non-empty path whose folder exists and is writable, naming nothing but a
    /// regular file (after symbolic links). For checking every output before a long run starts.
    /// Calls `lstat`, `readlink`, `stat` and `access`.
    /// - Throws: ``FormatError`` of kind ``FormatError/Kind/io`` or ``FormatError/Kind/missingFile``
    ///   naming the path and what is wrong.
    public static func checkWritable(_ path: String) throws(FormatError) {
        guard !path.isEmpty else {
            throw FormatError(file: "''", kind: .io, expected: "a file name", found: "an empty path")
        }
        let target = try FileSystem.destination(of: path)
        let folder = FileSystem.split(target).folder
        guard FileSystem.isFolder(folder) else {
            throw FormatError(file: path, kind: .missingFile, expected: "an existing folder \(folder)", found: "no such folder")
        }
        guard FileSystem.isWritableFolder(folder) else {
            throw FormatError(file: path, kind: .io, expected: "a folder this user can write (\(folder))", found: "permission denied")
        }
    }

    /// Removes the temporary file of the save in progress on any thread, if there is one, so that
    /// a process ending on a signal leaves none. Async-signal-safe (one atomic exchange and
    /// `unlink`) once ``prepareForSignalHandlers()`` has run.
    package static func removeTemporaryFileInProgress() {
        FileSystem.removeInProgressFile()
    }

    /// Initialises what ``removeTemporaryFileInProgress()`` reads; call it before installing a
    /// signal handler that calls it.
    package static func prepareForSignalHandlers() {
        FileSystem.prepareInProgressRecord()
    }

    /// ``write(_:to:)`` with a hook run after the temporary file is complete and before the
    /// rename, so tests can fail the write at its most delicate moment.
    static func write(
        _ bytes: [UInt8], to path: String, beforeRename: () throws(FormatError) -> Void
    ) throws(FormatError) {
        guard !path.isEmpty else {
            throw FormatError(file: "''", kind: .io, expected: "a file name", found: "an empty path")
        }
        let path = try FileSystem.destination(of: path)
        for stale in staleTemporaryFiles(beside: path) { FileSystem.removeQuietly(stale) }
        let (descriptor, temporary) = try FileSystem.createTemporaryFile(beside: path)
        defer { FileSystem.clearInProgress() }
        var open = true
        do throws(FormatError) {
            try FileSystem.writeAll(bytes, to: descriptor, path: temporary)
            try FileSystem.setMode(of: descriptor, likeFileAt: path, path: temporary)
            try FileSystem.synchronize(descriptor, path: temporary)
            open = false
            try FileSystem.close(descriptor, path: temporary)
            try beforeRename()
            try FileSystem.rename(temporary, over: path)
        } catch {
            if open { try? FileSystem.close(descriptor, path: temporary) }
            FileSystem.clearInProgress()
            FileSystem.removeQuietly(temporary)
            throw error
        }
        try FileSystem.synchronizeFolder(of: path)
    }
}
