/// A user-facing failure of a subcommand: one line naming the problem and where.
struct CLIError: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) { self.description = description }
}

/// Runs `body`, turning any error into a ``CLIError`` whose line starts with `context`
/// (typically the file involved), unless the error already names it.
func naming<R>(_ context: String, _ body: () throws -> R) throws -> R {
    do {
        return try body()
    } catch let error as CLIError {
        throw error
    } catch {
        let text = "\(error)"
        throw CLIError(context.isEmpty || text.contains(context) ? text : "\(context): \(text)")
    }
}
