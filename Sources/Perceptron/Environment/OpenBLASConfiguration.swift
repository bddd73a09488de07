/// The build description OpenBLAS gives of itself (`openblas_get_config`), taken apart:
/// `"OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY Cooperlake MAX_THREADS=64"`.
///
/// Any text parses; what is missing is `nil` or `false`.
package struct OpenBLASConfiguration: Sendable, Equatable {
    /// The text as OpenBLAS gave it.
    package var text: String
    /// The version's numbers, `[0, 3, 21]` (`"0.3.26.dev"` gives `[0, 3, 26]`), or `nil` when
    /// the text does not start with `OpenBLAS` and a version.
    package var version: [Int]?
    /// Whether the library carries kernels for many CPUs and chooses at load (`DYNAMIC_ARCH`).
    /// Only then can the core be switched.
    package var isDynamicArch: Bool

    /// Parses `text`.
    package init(_ text: String) {
        self.text = text
        let words = text.split(whereSeparator: \.isWhitespace)
        isDynamicArch = words.contains("DYNAMIC_ARCH")
        if words.count >= 2, words[0] == "OpenBLAS" {
            // The leading numbers: a development build says "0.3.26.dev".
            let numbers = words[1].split(separator: ".", omittingEmptySubsequences: false).lazy.map { Int($0) }
            let leading = Array(numbers.prefix { $0 != nil }.compactMap { $0 })
            version = leading.isEmpty ? nil : leading
        } else {
            version = nil
        }
    }

    /// `"0.3.21"`, or `nil`.
    package var versionString: String? {
        version.map { $0.map(String.init).joined(separator: ".") }
    }

    /// Whether the version is known and at least `minimum` (compared number by number).
    package func isAtLeast(_ minimum: [Int]) -> Bool {
        guard let version else { return false }
        for (have, need) in zip(version + Array(repeating: 0, count: max(0, minimum.count - version.count)), minimum) {
            if have != need { return have > need }
        }
        return true
    }
}
