import CSupport
import Runtime

/// Re-executes this binary with the arguments it was started with (console `restart`).
/// The gateway shuts down gracefully first; `exec` keeps the PID, so a supervisor or a
/// test watching the process sees one continuous service.
enum ProcessRestart {
    /// argv as the process received it, recorded by the entry point before any other
    /// thread exists and only read after: no concurrent access to guard.
    nonisolated(unsafe) static var arguments: [String] = []

    /// Replaces the process image; returns only if exec failed.
    static func exec() -> Errno {
        let path = "/proc/self/exe"
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) }
        argv.append(nil)
        // Descriptors opened without O_CLOEXEC (C libraries' sockets) would otherwise live
        // on in the new image, two more with each restart.
        _ = sy_cloexec_from(3)
        execv(path, &argv)
        let failure = Errno.current
        for pointer in argv { free(pointer) }
        return failure
    }

    /// Overwrites, in the process's own argv strings, the value after each option in
    /// `options` (and `--option=value` forms) with `*`, keeping the lengths.
    static func scrubSecretValues(
        _ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>, after options: [String]
    ) {
        var index = 1
        while index < Int(argc) {
            guard let argument = argv[index] else { break }
            let text = String(cString: argument)
            if options.contains(text), index + 1 < Int(argc), let value = argv[index + 1] {
                memset(value, Int32(UInt8(ascii: "*")), strlen(value))
                index += 2
                continue
            }
            for option in options where text.hasPrefix(option + "=") {
                let prefix = option.utf8.count + 1
                memset(argument + prefix, Int32(UInt8(ascii: "*")), strlen(argument) - prefix)
            }
            index += 1
        }
    }
}
