import Glibc
import Synchronization

/// The only file that calls POSIX file functions. Paths are Swift strings, bytes are Swift
/// arrays, and every failing call becomes a ``FormatError`` of kind ``FormatError/Kind/io``
/// naming the path and `strerror(errno)`. No file descriptor leaves this file.
enum FileSystem {
    /// Whether `path` names an existing regular file (following symbolic links).
    static func isRegularFile(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG
    }

    /// The whole contents of the regular file at `path`.
    ///
    /// Calls `stat`, `open` (with `O_NONBLOCK`), `fstat` and `read`. Anything but a regular
    /// file (a FIFO, a device, a folder) is refused before it is opened, and the open cannot
    /// block should it be swapped in between; `fstat` checks the file actually opened. The
    /// buffer is sized from `fstat`, so memory is bounded by the file's real size, never by a
    /// length written inside it.
    /// - Throws: ``FormatError``: ``FormatError/Kind/missingFile`` if it does not exist,
    ///   ``FormatError/Kind/io`` if it cannot be read or is not a regular file.
    static func read(_ path: String) throws(FormatError) -> [UInt8] {
        var st = stat()
        if stat(path, &st) == 0, (st.st_mode & S_IFMT) != S_IFREG { throw notRegularFile(path, st.st_mode) }
        // O_NONBLOCK: opening a FIFO without a writer would otherwise wait forever. It changes
        // nothing for a regular file.
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else {
            let code = errno
            if code == ENOENT {
                throw FormatError(file: path, kind: .missingFile, expected: "an existing file", found: "no such file")
            }
            throw ioError(path, "open", code)
        }
        defer { Glibc.close(fd) }
        guard fstat(fd, &st) == 0 else { throw ioError(path, "fstat", errno) }
        guard (st.st_mode & S_IFMT) == S_IFREG else { throw notRegularFile(path, st.st_mode) }
        let size = Int(st.st_size)
        var bytes = [UInt8](repeating: 0, count: size)
        var done = 0
        while done < size {
            let n = bytes.withUnsafeMutableBytes { buffer in
                Glibc.read(fd, buffer.baseAddress! + done, size - done)
            }
            if n < 0 {
                if errno == EINTR { continue }
                throw ioError(path, "read", errno)
            }
            if n == 0 { break }  // the file shrank since fstat
            done += n
        }
        if done < size { bytes.removeLast(size - done) }
        return bytes
    }

    /// Up to `limit` bytes of the file at `path`, read until its end: for kernel files such as
    /// `/proc/meminfo`, whose `stat` size is 0. `nil` when it cannot be opened or read. Calls
    /// `open` and `read`.
    static func readKernelFile(_ path: String, limit: Int = 65536) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { Glibc.close(fd) }
        var bytes = [UInt8](repeating: 0, count: limit)
        var done = 0
        while done < limit {
            let n = bytes.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + done, limit - done) }
            if n < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if n == 0 { break }
            done += n
        }
        return Array(bytes[0..<done])
    }

    /// Creates an empty file with a unique name beside `path` (same folder, so a rename over
    /// `path` is atomic) and returns its descriptor and path. Calls `mkstemp`.
    static func createTemporaryFile(beside path: String) throws(FormatError) -> (descriptor: Int32, path: String) {
        let (folder, name) = split(path)
        var template = Array("\(folder)/.\(name).tmp-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw ioError(path, "create a temporary file in \(folder)", errno) }
        let tempPath = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        recordInProgress(template)
        return (fd, tempPath)
    }

    /// The temporary file being written (a NUL-terminated path), for a signal handler to remove:
    /// allocated once, never freed, and only read while ``inProgress`` is set.
    nonisolated(unsafe) private static let inProgressPath = UnsafeMutablePointer<CChar>.allocate(
        capacity: Int(PATH_MAX) + 1)
    /// Whether ``inProgressPath`` holds a temporary file not yet renamed or removed.
    private static let inProgress = Atomic<Bool>(false)

    /// Remembers the temporary file just created (when its path fits in `PATH_MAX`).
    private static func recordInProgress(_ template: [CChar]) {
        inProgress.store(false, ordering: .sequentiallyConsistent)
        guard template.count <= Int(PATH_MAX) + 1 else { return }
        template.withUnsafeBufferPointer { inProgressPath.update(from: $0.baseAddress!, count: $0.count) }
        inProgress.store(true, ordering: .sequentiallyConsistent)
    }

    /// Forgets the temporary file (it was renamed or removed).
    static func clearInProgress() {
        inProgress.store(false, ordering: .sequentiallyConsistent)
    }

    /// Runs the lazy initialisers of the globals ``removeInProgressFile()`` reads, so that a
    /// signal handler calling it runs none.
    static func prepareInProgressRecord() {
        _ = inProgressPath
        _ = inProgress.load(ordering: .sequentiallyConsistent)
    }

    /// Removes the temporary file being written, if any. Async-signal-safe once
    /// ``prepareInProgressRecord()`` has run: one atomic exchange and `unlink`.
    static func removeInProgressFile() {
        guard inProgress.exchange(false, ordering: .sequentiallyConsistent) else { return }
        _ = unlink(inProgressPath)
    }

    /// Where writing `path` lands: `path` itself, or the file a chain of symbolic links ends at
    /// (relative links resolved against the folder of the link). Calls `lstat` and `readlink`.
    /// - Throws: ``FormatError/Kind/io`` when the chain is longer than 40 links (a loop), or when
    ///   what exists there is not a regular file (a folder, a FIFO, a device).
    static func destination(of path: String) throws(FormatError) -> String {
        var current = path
        for _ in 0..<40 {
            var st = stat()
            guard lstat(current, &st) == 0 else { return current }
            switch st.st_mode & S_IFMT {
            case S_IFREG:
                return current
            case S_IFLNK:
                var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
                let n = readlink(current, &buffer, buffer.count - 1)
                guard n > 0 else { throw ioError(current, "readlink", errno) }
                let target = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
                current = target.hasPrefix("/") ? target : "\(split(current).folder)/\(target)"
            default:
                throw notRegularFile(current, st.st_mode)
            }
        }
        throw FormatError(
            file: path, kind: .io, expected: "a chain of at most 40 symbolic links", found: "a longer chain (a loop)")
    }

    /// Whether the current user may create files in the folder at `path`. Calls `access`.
    static func isWritableFolder(_ path: String) -> Bool {
        access(path, W_OK | X_OK) == 0
    }

    /// Writes all of `bytes` to `descriptor`, retrying short writes and `EINTR`. Calls `write`.
    static func writeAll(_ bytes: [UInt8], to descriptor: Int32, path: String) throws(FormatError) {
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { buffer in
                Glibc.write(descriptor, buffer.baseAddress! + done, bytes.count - done)
            }
            if n < 0 {
                if errno == EINTR { continue }
                throw ioError(path, "write", errno)
            }
            done += n
        }
    }

    /// Sets the permission bits of `descriptor` to those of the file at `existing` if it
    /// exists, otherwise to `0644`. Calls `stat` and `fchmod`.
    static func setMode(of descriptor: Int32, likeFileAt existing: String, path: String) throws(FormatError) {
        var st = stat()
        let mode: mode_t = stat(existing, &st) == 0 ? st.st_mode & 0o7777 : 0o644
        guard fchmod(descriptor, mode) == 0 else { throw ioError(path, "fchmod", errno) }
    }

    /// Flushes `descriptor` to stable storage. Calls `fsync`.
    static func synchronize(_ descriptor: Int32, path: String) throws(FormatError) {
        guard fsync(descriptor) == 0 else { throw ioError(path, "fsync", errno) }
    }

    /// Closes `descriptor`. Calls `close`.
    static func close(_ descriptor: Int32, path: String) throws(FormatError) {
        guard Glibc.close(descriptor) == 0 else { throw ioError(path, "close", errno) }
    }

    /// Atomically replaces `destination` by `source`. Calls `rename`.
    static func rename(_ source: String, over destination: String) throws(FormatError) {
        guard Glibc.rename(source, destination) == 0 else { throw ioError(destination, "rename \(source) to \(destination)", errno) }
    }

    /// Removes the file at `path`, ignoring errors (cleanup only). Calls `unlink`.
    static func removeQuietly(_ path: String) {
        _ = unlink(path)
    }

    /// Flushes the folder holding `path`, so that a rename in it survives a crash. Calls
    /// `open(O_DIRECTORY)` and `fsync`.
    static func synchronizeFolder(of path: String) throws(FormatError) {
        let folder = split(path).folder
        let fd = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw ioError(folder, "open folder", errno) }
        defer { Glibc.close(fd) }
        // Some file systems refuse fsync on a directory (EINVAL); the rename is still done.
        guard fsync(fd) == 0 || errno == EINVAL else { throw ioError(folder, "fsync folder", errno) }
    }

    /// Whether `path` names an existing folder (following symbolic links).
    static func isFolder(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    /// The names in the folder at `path`, without `.` and `..`, sorted. Calls `opendir`,
    /// `readdir` and `closedir`.
    /// - Throws: ``FormatError``: ``FormatError/Kind/missingFile`` if it does not exist,
    ///   ``FormatError/Kind/io`` if it is not a folder or cannot be read.
    static func contentsOfFolder(_ path: String) throws(FormatError) -> [String] {
        guard let folder = opendir(path) else {
            let code = errno
            if code == ENOENT {
                throw FormatError(file: path, kind: .missingFile, expected: "an existing folder", found: "no such folder")
            }
            throw ioError(path, "open folder", code)
        }
        defer { closedir(folder) }
        var names: [String] = []
        while let entry = readdir(folder) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    /// The folder (`"."` when none) and the last component of `path`.
    static func split(_ path: String) -> (folder: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return (".", path) }
        let folder = String(path[..<slash])
        return (folder.isEmpty ? "/" : folder, String(path[path.index(after: slash)...]))
    }

    /// "not a regular file", naming what `mode` says the file is.
    static func notRegularFile(_ path: String, _ mode: mode_t) -> FormatError {
        let kind: String
        switch mode & S_IFMT {
        case S_IFDIR: kind = "a folder"
        case S_IFIFO: kind = "a FIFO"
        case S_IFCHR: kind = "a character device"
        case S_IFBLK: kind = "a block device"
        case S_IFSOCK: kind = "a socket"
        default: kind = "a special file"
        }
        return FormatError(file: path, kind: .io, expected: "a regular file", found: "\(kind) (not a regular file)")
    }

    private static func ioError(_ path: String, _ operation: String, _ code: Int32) -> FormatError {
        FormatError(file: path, kind: .io, expected: "\(operation) to succeed", found: String(cString: strerror(code)))
    }
}
