import Runtime

/// Standard output for results, standard error for diagnostics.
public enum Output {
    /// `text` and a newline on standard output.
    public static func line(_ text: String) {
        try? FileDescriptor.standardOutput.writeAll(text + "\n")
    }

    /// `text` and a newline on standard error.
    public static func error(_ text: String) {
        try? FileDescriptor.standardError.writeAll(text + "\n")
    }
}
