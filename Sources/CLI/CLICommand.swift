/// A subcommand of the binary (`switchyard <name> ...`), declared by the module it belongs
/// to and listed, helped and dispatched by the executable without it naming the command.
/// `Environment` is what the binary hands the command when it runs it (the settings schema,
/// the version, a way to start the gateway): what a feature needs from the executable is
/// passed in, never imported.
public struct CLICommand<Environment> {
    /// The word after `switchyard` (`can-tunnel`).
    public let name: String
    /// One line for the command list of `switchyard help`.
    public let summary: String
    /// The whole `--help` text, also `switchyard help <name>`.
    public let help: String
    /// Runs until SIGINT/SIGTERM and stops cleanly on them: the entry point blocks those
    /// signals before anything else, so one during start-up is not death by the default action.
    public let runsUntilSignalled: Bool
    /// The binary run under this name (a busybox-style symlink, `bcms`) is this command.
    public let answersToProgramName: Bool
    /// Options whose value is a secret (`-p PASSWORD`): overwritten in the process's own argv
    /// area, which /proc/PID/cmdline shows to every local user, once the value is copied.
    public let secretOptions: [String]
    /// Runs the command with the arguments after its name; the exit status, or a usage error
    /// (exit status 2, with a pointer to `--help`).
    public let run: ([String], Environment) throws(UsageError) -> Int32

    public init(_ name: String, summary: String, help: String, runsUntilSignalled: Bool = false,
                answersToProgramName: Bool = false, secretOptions: [String] = [],
                run: @escaping ([String], Environment) throws(UsageError) -> Int32) {
        self.name = name
        self.summary = summary
        self.help = help
        self.runsUntilSignalled = runsUntilSignalled
        self.answersToProgramName = answersToProgramName
        self.secretOptions = secretOptions
        self.run = run
    }
}

extension CLICommand where Environment == Void {
    /// The same command in a binary whose commands get an environment this one does not use.
    public func ignoringEnvironment<Other>() -> CLICommand<Other> {
        let run = self.run
        return CLICommand<Other>(name, summary: summary, help: help, runsUntilSignalled: runsUntilSignalled,
                                 answersToProgramName: answersToProgramName, secretOptions: secretOptions) {
            (arguments: [String], _: Other) throws(UsageError) -> Int32 in
            try run(arguments, ())
        }
    }
}
