import Glibc
import Testing

@testable import Perceptron

/// Paths, files and child processes for the reliability tests.
enum ReliabilitySupport {
    /// The repository root (this file is `<root>/Tests/PerceptronTests/Reliability/ReliabilitySupport.swift`).
    static let repositoryRoot: String = {
        "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false).dropLast(4).joined(separator: "/")
    }()

    /// The committed seed corpus of one fuzz target (`Tests/Fuzz/Corpus/<reader>/`), as full paths.
    static func corpus(_ reader: String) -> [String] {
        let folder = "\(repositoryRoot)/Tests/Fuzz/Corpus/\(reader)"
        return FormatTestSupport.listing(folder).map { "\(folder)/\($0)" }
    }

    /// The regression inputs the fuzzers found for one reader (`Fixtures/Regressions/<reader>/`).
    static func regressions(_ reader: String) -> [String] {
        let folder = "\(repositoryRoot)/Tests/PerceptronTests/Fixtures/Regressions/\(reader)"
        return FormatTestSupport.listing(folder).map { "\(folder)/\($0)" }
    }

    /// The bytes of the file at `path`.
    static func bytes(_ path: String) throws -> [UInt8] {
        try FileSystem.read(path)
    }

    /// Writes `bytes` to `path` (plainly: tests need partial and hostile files too).
    static func write(_ bytes: [UInt8], to path: String) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        precondition(fd >= 0, "cannot create \(path)")
        defer { close(fd) }
        let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        precondition(written == bytes.count, "short write to \(path)")
    }

    /// Whether a file (or anything) exists at `path`.
    static func exists(_ path: String) -> Bool {
        access(path, F_OK) == 0
    }

    /// The built `perceptron` executable: beside the test bundle (`swift test` builds every
    /// product into the same folder), or `nil` when it is not there.
    static let commandPath: String? = {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        var candidates: [String] = []
        if n > 0 {
            let exe = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            candidates.append(FileSystem.split(exe).folder + "/perceptron")
        }
        if let first = CommandLine.arguments.first, first.contains("/") {
            candidates.append(FileSystem.split(first).folder + "/perceptron")
        }
        candidates.append("\(repositoryRoot)/.build/debug/perceptron")
        return candidates.first { access($0, X_OK) == 0 }
    }()

    /// What a finished child process left: its exit status (or the signal that ended it) and output.
    struct Outcome {
        var status: Int32
        var signal: Int32?
        var standardOutput: String
        var standardError: String

        /// The non-empty lines on stderr.
        var errorLines: [Substring] { standardError.split(separator: "\n") }
    }

    /// Starts `executable` with `arguments` in the working folder `folder`, stdin from
    /// `/dev/null`, stdout and stderr going to files in `logs`; returns its process id. Calls
    /// `posix_spawn`.
    static func spawn(_ executable: String, _ arguments: [String], in folder: String, logs: String) -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "\(logs)/stdout", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, "\(logs)/stderr", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        // `sh` changes folder and `exec`s, so the pid is the command's own (glibc's
        // posix_spawn_file_actions_addchdir_np is not visible to Swift).
        let shell = ["/bin/sh", "-c", "cd \"$0\" && exec \"$@\"", folder, executable] + arguments
        let argv = shell.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        // The child starts as from a shell: no signal blocked, SIGINT and SIGTERM at their
        // defaults, SIGHUP too (the test runner's threads may block them; a mask is inherited).
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t()
        sigemptyset(&none)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGINT)
        sigaddset(&defaults, SIGTERM)
        sigaddset(&defaults, SIGHUP)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var pid: pid_t = 0
        let code = posix_spawn(&pid, "/bin/sh", &actions, &attributes, argv, environ)
        precondition(code == 0, "posix_spawn \(executable) failed: \(String(cString: strerror(code)))")
        return pid
    }

    /// Waits for `pid` and collects its outcome (output from the files ``spawn`` set up in `logs`).
    static func wait(_ pid: pid_t, logs: String) -> Outcome {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let signalled = status & 0x7F != 0 && status & 0x7F != 0x7F
        let text = { (name: String) in
            String(decoding: (try? FileSystem.read("\(logs)/\(name)")) ?? [], as: UTF8.self)
        }
        return Outcome(
            status: signalled ? -1 : (status >> 8) & 0xFF, signal: signalled ? status & 0x7F : nil,
            standardOutput: text("stdout"), standardError: text("stderr"))
    }

    /// The exit status of a run that ``perceptron(_:in:)`` stopped after ``timeLimit`` seconds
    /// (`timeout -s KILL` reports 128 + 9).
    static let timedOutStatus: Int32 = 137
    /// Seconds a command may run before ``perceptron(_:in:)`` kills it, so a hang fails the test
    /// instead of stalling the suite.
    static let timeLimit = 120

    /// Runs the `perceptron` command with `arguments` in the working folder `folder` and waits
    /// for it; its output is kept outside `folder`, so `folder` holds only what the command wrote.
    static func perceptron(_ arguments: [String], in folder: String) throws -> Outcome {
        let command = try #require(commandPath, "the perceptron executable is not built beside the tests")
        let logs = FormatTestSupport.temporaryFolder()
        let watchdog = "/usr/bin/timeout"
        let pid =
            access(watchdog, X_OK) == 0
            ? spawn(watchdog, ["-s", "KILL", "\(timeLimit)", command] + arguments, in: folder, logs: logs)
            : spawn(command, arguments, in: folder, logs: logs)
        let outcome = wait(pid, logs: logs)
        #expect(outcome.status != timedOutStatus, "perceptron \(arguments.joined(separator: " ")) ran over \(timeLimit) s")
        return outcome
    }
}
