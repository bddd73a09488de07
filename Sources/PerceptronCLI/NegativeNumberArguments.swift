/// Joins an option and a negative number that follows it (`--learning-rate -1` becomes
/// `--learning-rate=-1`), so that the option's own range check answers instead of the parser,
/// which would take `-1` for a flag and report the value missing.
///
/// Only a `--name` without `=` followed by an argument that reads as a negative number
/// (`-1`, `-0.5`, `-1e-3`, `-inf`, `-nan`) is joined; everything after `--` is left alone.
enum NegativeNumberArguments {
    static func joined(_ arguments: [String]) -> [String] {
        var result: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            if argument == "--" { return result + arguments[index...] }
            if argument.hasPrefix("--"), !argument.contains("="), index + 1 < arguments.count,
                isNegativeNumber(arguments[index + 1])
            {
                result.append("\(argument)=\(arguments[index + 1])")
                index += 2
                continue
            }
            result.append(argument)
            index += 1
        }
        return result
    }

    /// Whether `text` is `-` followed by a number `Double` reads.
    static func isNegativeNumber(_ text: String) -> Bool {
        text.count > 1 && text.hasPrefix("-") && Double(text.dropFirst()) != nil
    }
}
