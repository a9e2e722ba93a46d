import CLI
import CSupport
import Runtime
import ServiceKit

/// The process entry, with argc/argv. The firmware links this symbol as the C `main`
/// (toolchain/firmware.mk) because Embedded Swift has no `CommandLine`; the host build
/// reaches it from the top-level code below, so both run the same code from here on.
@_cdecl("switchyard_entry")
func switchyardEntry(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    // Before anything else (even building the argument list): a stop signal during start-up
    // must end in a clean shutdown, not in death by the default action. Which command runs
    // until signalled is the catalogue's to say, so its list is built first; that is safe
    // because building it only makes values and closures: no thread exists yet to miss the
    // mask blocked next (threads inherit it), and nothing is opened or read.
    let commands = CommandDispatcher.commands
    // Busybox style: run as `bcms` or `bcms-daemon` (symlinks) the binary is that command.
    var byProgramName = false
    var invoked: ServiceCommand? = nil
    if let path = argv?[0], let command = CommandDispatcher.command(named: strrchr(path, 0x2F).map { $0 + 1 } ?? path,
                                                                     in: commands),
       command.answersToProgramName {
        invoked = command
        byProgramName = true
    } else if argc > 1, let first = argv?[1] {
        invoked = CommandDispatcher.command(named: first, in: commands)
    }
    if invoked?.runsUntilSignalled == true { SignalEvents.blockEarly() }
    var arguments: [String] = []
    for index in 0..<Int(argc) {
        if let argument = argv?[index] { arguments.append(String(cString: argument)) }
    }
    ProcessRestart.arguments = arguments
    // `can-tunnel -p PASSWORD`: the copy above keeps the value for the command (and a
    // restart); the process's own argv area, which /proc/PID/cmdline shows to every local
    // user, loses it.
    if let invoked, !invoked.secretOptions.isEmpty, let argv {
        ProcessRestart.scrubSecretValues(argc, argv, after: invoked.secretOptions)
    }
    if let invoked, byProgramName {
        return CommandDispatcher.main(arguments: [invoked.name] + arguments.dropFirst(), commands: commands)
    }
    return CommandDispatcher.main(arguments: Array(arguments.dropFirst()), commands: commands)
}

#if !hasFeature(Embedded)
exit(switchyardEntry(CommandLine.argc, CommandLine.unsafeArgv))
#endif
