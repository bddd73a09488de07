/// An MPI operation failed, or MPI is not available in this build.
public struct CommunicatorError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The MPI routine that failed, e.g. `"MPI_Allreduce"`.
    public var operation: String
    /// MPI's error code, or `nil` when the failure was found before calling MPI.
    public var code: Int?
    /// What went wrong: MPI's own error string, or the reason found before calling MPI.
    public var message: String

    /// Creates a communicator error.
    public init(operation: String, code: Int?, message: String) {
        self.operation = operation
        self.code = code
        self.message = message
    }

    /// One line: `MPI_Allreduce failed (MPI error 15): MPI_ERR_TRUNCATE: message truncated`.
    public var description: String {
        let code = self.code.map { " (MPI error \($0))" } ?? ""
        return "\(operation) failed\(code): \(message)"
    }
}
