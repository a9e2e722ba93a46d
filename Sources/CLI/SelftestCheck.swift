/// One check of `switchyard selftest`, declared by the module that owns what it checks (a
/// library's wrapper, a service's descriptor) and run by the executable in its list.
public struct SelftestCheck {
    /// Short name printed before the outcome (`openssl`).
    public let name: String
    /// Exercises the real thing in this binary and says what it found.
    public let run: () -> SelftestOutcome

    public init(_ name: String, run: @escaping () -> SelftestOutcome) {
        self.name = name
        self.run = run
    }
}

/// What one selftest check found: a detail line either way.
public enum SelftestOutcome {
    case passed(String)
    case failed(String)
}
