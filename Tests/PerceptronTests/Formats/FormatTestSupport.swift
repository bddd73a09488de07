import Glibc
import Testing

@testable import Perceptron

/// Paths and scratch folders for the format tests.
enum FormatTestSupport {
    /// The committed fixture `name` (written by `Fixtures/Formats/make_fixtures.py`).
    static func fixture(_ name: String) -> String {
        // #filePath is …/Tests/PerceptronTests/Formats/FormatTestSupport.swift.
        let formats = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false).dropLast()
        let testsRoot = formats.dropLast().joined(separator: "/")
        return "\(testsRoot)/Fixtures/Formats/\(name)"
    }

    /// A new empty folder under /tmp.
    static func temporaryFolder() -> String {
        var template = Array("/tmp/perceptron-formats-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        precondition(made != nil, "mkdtemp failed")
        return template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    /// The names in `folder`, excluding `.` and `..`.
    static func listing(_ folder: String) -> [String] {
        guard let dir = opendir(folder) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    /// `v[i] = (i − 3) / 4`, the float values every fixture holds.
    static func fixtureFloats<T: Scalar>(_ count: Int, as: T.Type = T.self) -> [T] {
        (0..<count).map { T($0 - 3) * T(0.25) }
    }

    /// Runs `body` and returns the ``FormatError`` it throws; records an issue if it does not throw.
    static func formatError<R>(_ body: () throws(FormatError) -> R, sourceLocation: SourceLocation = #_sourceLocation) -> FormatError? {
        do {
            _ = try body()
            Issue.record("expected a FormatError", sourceLocation: sourceLocation)
            return nil
        } catch {
            return error
        }
    }
}

extension FormatTestSupport {
    /// `bytes` compressed by the `gzip` command.
    static func gzip(_ bytes: [UInt8]) -> [UInt8] {
        let folder = temporaryFolder()
        let path = "\(folder)/data"
        try? AtomicFile.write(bytes, to: path)
        #expect(system("gzip -n \(path)") == 0)
        return (try? FileSystem.read(path + ".gz")) ?? []
    }
}
