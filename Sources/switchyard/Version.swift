/// The firmware's version, shown by `switchyard version`, the console and the state topic.
import CLI
import OTA

enum Version {
    /// The version, stamped so that `switchyard ota push` can read it out of a binary and a
    /// build can set it (`make firmware VERSION=0.2.0` rewrites the stamp in place, which
    /// the spaces after `;` leave room for): see `OTAVersionStamp`.
    static let stamp = "switchyard-version:0.1.0;                        "
    static var string: String { OTAVersionStamp.version(in: stamp) }
    /// The architecture this binary was built for.
    static var architecture: String {
        #if arch(aarch64) || arch(arm64)
        return "aarch64"
        #elseif arch(x86_64)
        return "x86_64"
        #else
        return "unknown"
        #endif
    }
}

enum VersionCommand {
    static func main(_ arguments: [String]) throws(UsageError) -> Int32 {
        let parsed = try Arguments(arguments, valued: [])
        if parsed.wantsHelp {
            Output.line(HelpText.version)
            return 0
        }
        Output.line("switchyard \(Version.string) (\(Version.architecture))")
        return 0
    }
}
