/// A command line that does not parse: printed with a pointer to `--help`, exit status 2.
public struct UsageError: Error {
    /// What is wrong, for the user.
    public let message: String
    public init(_ message: String) { self.message = message }
}
