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
    } else if let path = argv?[0], CommandDispatcher.runsUntilSignalled(strrchr(path, 0x2F).map { $0 + 1 } ?? path) {
        SignalEvents.blockEarly() // `bcms-daemon` (a symlink) is the gateway too
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
    // Busybox style: run as `bcms` or `bcms-daemon` (symlinks) the binary is the seed's CLI or daemon.
    if let name = arguments.first?.split(separator: "/").last, name == "bcms" || name == "bcms-daemon" {
        return CommandDispatcher.main(arguments: [String(name)] + arguments.dropFirst())
    }
    return CommandDispatcher.main(arguments: Array(arguments.dropFirst()))
}

#if !hasFeature(Embedded)
exit(switchyardEntry(CommandLine.argc, CommandLine.unsafeArgv))
#endif
