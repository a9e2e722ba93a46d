import CLI
import ServiceCatalog

/// `switchyard version`: the version and the architecture this binary was built for.
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
