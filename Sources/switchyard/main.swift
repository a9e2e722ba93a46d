import CSupport
import Runtime

/// The process entry, with argc/argv. The firmware links this symbol as the C `main`
/// (toolchain/firmware.mk) because Embedded Swift has no `CommandLine`; the host build
/// reaches it from the top-level code below, so both run the same code from here on.
@_cdecl("switchyard_entry")
func switchyardEntry(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    // Before anything else (even building the argument list): a stop signal during start-up
    // must end in a clean shutdown, not in death by the default action.
    if argc > 1, let command = argv?[1], CommandDispatcher.runsUntilSignalled(command) {
        SignalEvents.blockEarly()
    }
    var arguments: [String] = []
    for index in 0..<Int(argc) {
        if let argument = argv?[index] { arguments.append(String(cString: argument)) }
    }
    ProcessRestart.arguments = arguments
    // `can-tunnel -p PASSWORD` is PyMQTT2CAN's interface; the copy above keeps the value for
    // the tunnel (and a restart), the process's own argv area, which /proc/PID/cmdline
    // shows to every local user, loses it.
    if argc > 2, let argv, let command = argv[1], strcmp(command, "can-tunnel") == 0 {
        ProcessRestart.scrubSecretValues(argc, argv, after: ["-p", "--password"])
    }
    return CommandDispatcher.main(arguments: Array(arguments.dropFirst()))
}

#if !hasFeature(Embedded)
exit(switchyardEntry(CommandLine.argc, CommandLine.unsafeArgv))
#endif
