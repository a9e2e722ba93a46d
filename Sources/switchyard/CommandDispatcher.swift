import CLI
import CSupport
import HTTPClient
import ServiceKit

/// Picks the subcommand and turns its outcome into an exit status. The commands are the
/// binary's own (the gateway and its tools) followed by those the catalogue's services
/// declare; none is named here.
enum CommandDispatcher {
    /// Every subcommand, in the order `switchyard help` lists them. Values and closures only:
    /// building the list opens nothing and starts no thread (the entry point relies on that).
    static var commands: [ServiceCommand] {
        var commands: [ServiceCommand] = [
            RunCommand.command, SelftestCommand.command, ConfigCommand.command,
            ServiceCommand("version", summary: "Print the firmware version and architecture", help: HelpText.version) {
                arguments, _ throws(UsageError) in try VersionCommand.main(arguments)
            },
            HTTPCommand.command.ignoringEnvironment(),
        ]
        for service in ServiceCatalog.services { commands += service.commands }
        return commands
    }

    /// The command called `name` (a C string straight from argv: compared without copying).
    static func command(named name: UnsafePointer<CChar>, in commands: [ServiceCommand]) -> ServiceCommand? {
        for command in commands where command.name.withCString({ strcmp($0, name) }) == 0 { return command }
        return nil
    }

    /// Exit statuses: 0 success, 1 the command failed, 2 the command line was wrong.
    static func main(arguments: [String], commands: [ServiceCommand]) -> Int32 {
        guard var name = arguments.first else {
            Output.line(HelpText.overview(commands))
            return 2
        }
        let rest = Array(arguments.dropFirst())
        switch name {
        case "help", "-h", "--help":
            if let topic = rest.first, let command = commands.first(where: { $0.name == topic }) {
                Output.line(command.help)
            } else {
                Output.line(HelpText.overview(commands))
            }
            return 0
        case "--version":
            name = "version"
        default:
            break
        }
        guard let command = commands.first(where: { $0.name == name }) else {
            Output.error("switchyard: unknown command \"\(name)\"; run `switchyard help` for the list")
            return 2
        }
        let environment = CLIEnvironment(schema: ServiceCatalog.schema, runGateway: RunCommand.main)
        do throws(UsageError) {
            return try command.run(rest, environment)
        } catch {
            Output.error("switchyard \(name): \(error.message); run `switchyard \(name) --help`")
            return 2
        }
    }
}
