/// The one way the package writes a file: all of it, or none of it.
///
/// The bytes go to a temporary file in the destination's folder, which is flushed (`fsync`),
/// given the destination's permissions (or `0644`), and renamed over the destination; then the
/// folder is flushed so the rename itself is durable. A reader, or a crash at any moment, sees
/// either the old complete file or the new complete file. On any failure the temporary file is
/// removed and the destination is untouched.
///
/// The temporary file of `folder/NAME` is `folder/.NAME.tmp-XXXXXX` (hidden, six random
/// characters from `mkstemp`). A process killed (SIGKILL, power loss) between creating it and
/// the rename leaves it behind; it is never the destination, and can be deleted once no process
/// is writing `NAME`. ``staleTemporaryFiles(beside:)`` lists them; nothing deletes them
/// automatically, since another process may be mid-save.
public enum AtomicFile {
    /// Replaces the file at `path` by `bytes`, atomically.
    /// - Throws: ``FormatError`` of kind ``FormatError/Kind/io`` naming the path and the
    ///   system's reason; the destination is then unchanged.
    public static func write(_ bytes: [UInt8], to path: String) throws(FormatError) {
        try write(bytes, to: path, beforeRename: {})
    }

    /// The temporary files of `path` present in its folder (`.NAME.tmp-XXXXXX`), as paths,
    /// sorted: left by an interrupted save, or belonging to a save in progress. Empty when the
    /// folder cannot be read. Calls `opendir` and `readdir`.
    public static func staleTemporaryFiles(beside path: String) -> [String] {
        let (folder, name) = FileSystem.split(path)
        let prefix = ".\(name).tmp-"
        let names = (try? FileSystem.contentsOfFolder(folder)) ?? []
        // mkstemp replaces exactly the six X's of the template.
        return names.filter { $0.hasPrefix(prefix) && $0.utf8.count == prefix.utf8.count + 6 }.map { "\(folder)/\($0)" }
    }

    /// ``write(_:to:)`` with a hook run after the temporary file is complete and before the
    /// rename, so tests can fail the write at its most delicate moment.
    static func write(
        _ bytes: [UInt8], to path: String, beforeRename: () throws(FormatError) -> Void
    ) throws(FormatError) {
        let (descriptor, temporary) = try FileSystem.createTemporaryFile(beside: path)
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
            FileSystem.removeQuietly(temporary)
            throw error
        }
        try FileSystem.synchronizeFolder(of: path)
    }
}
