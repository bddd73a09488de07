extension ReferenceCase {
    /// Every case in a fixture folder written by the reference script: each subfolder whose
    /// name starts with `case-`, in name order (other files, such as the README, are skipped).
    /// - Throws: ``FormatError`` if `folder` does not exist or holds no case, or naming the
    ///   file of the first malformed case.
    public static func all(in folder: String) throws(FormatError) -> [ReferenceCase] {
        guard FileSystem.isFolder(folder) else {
            throw FormatError(
                file: folder, kind: FileSystem.isRegularFile(folder) ? .io : .missingFile,
                expected: "a folder of reference cases", found: FileSystem.isRegularFile(folder) ? "a file" : "no such folder")
        }
        let names = try FileSystem.contentsOfFolder(folder).filter {
            $0.hasPrefix("case-") && FileSystem.isFolder(join(folder, $0))
        }
        guard !names.isEmpty else {
            throw FormatError(
                file: folder, kind: .missingFile, expected: "case-* folders written by Scripts/reference/make_fixtures.py",
                found: "none")
        }
        var cases: [ReferenceCase] = []
        for name in names { cases.append(try ReferenceCase(folder: join(folder, name))) }
        return cases
    }
}
