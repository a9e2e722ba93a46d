import CSupport

/// The process entry, with argc/argv. The firmware links this symbol as the C `main`
/// (toolchain/firmware.mk) because Embedded Swift has no `CommandLine`; the host build
/// reaches it from the top-level code below, so both run the same code from here on.
@_cdecl("switchyard_entry")
func switchyardEntry(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    var arguments: [String] = []
    for index in 0..<Int(argc) {
        if let argument = argv?[index] { arguments.append(String(cString: argument)) }
    }
    ProcessRestart.arguments = arguments
    // Busybox style: run as `bcms` or `bcms-daemon` (symlinks) the binary is the seed's CLI or daemon.
    if let name = arguments.first?.split(separator: "/").last, name == "bcms" || name == "bcms-daemon" {
        return CommandDispatcher.main(arguments: [String(name)] + arguments.dropFirst())
    }
    return CommandDispatcher.main(arguments: Array(arguments.dropFirst()))
}

#if !hasFeature(Embedded)
exit(switchyardEntry(CommandLine.argc, CommandLine.unsafeArgv))
#endif
