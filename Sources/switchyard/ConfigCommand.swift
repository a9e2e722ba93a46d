import CLI
import ServiceCatalog
import ServiceKit
import Store

/// `switchyard config show|get|set|unset|keys`: the saved settings, offline.
enum ConfigCommand {
    static var command: ServiceCommand {
        ServiceCommand("config", summary: "Show or change saved settings offline: show | get KEY | set KEY VALUE | unset KEY",
                       help: HelpText.config) { arguments, environment throws(UsageError) in
            try main(arguments, schema: environment.schema)
        }
    }

    static func main(_ arguments: [String], schema: ConfigSchema) throws(UsageError) -> Int32 {
        let parsed = try Arguments(arguments, valued: ["--data", "--config"])
        if parsed.wantsHelp {
            Output.line(HelpText.config)
            return 0
        }
        guard let action = parsed.positionals.first else { throw UsageError("which action: show, get, set, unset or keys?") }
        let operands = Array(parsed.positionals.dropFirst())
        if action == "keys" {
            for line in schema.helpLines() { Output.line(line) }
            Output.line(AnyConfigKey.remoteRule)
            return 0
        }
        let counts = ["show": 0, "get": 1, "set": 2, "unset": 1]
        guard let count = counts[action] else {
            throw UsageError("unknown action \"\(action)\": use show, get, set, unset or keys")
        }
        guard operands.count == count else {
            let usage = ["show": "config show", "get": "config get KEY", "set": "config set KEY VALUE",
                         "unset": "config unset KEY"][action]!
            throw UsageError("usage: switchyard \(usage)")
        }
        let store = ConfigStore(schema: schema, dataDirectory: DataDirectory.resolve(parsed.value("--data")),
                                boardDefaultsPath: parsed.value("--config"))
        do throws(StoreError) {
            switch action {
            case "show":
                for line in store.show() { Output.line(line) }
            case "get":
                Output.line(try store.entry(operands[0]).description)
            case "set":
                let entry = try store.set(operands[0], to: operands[1])
                // Each set is saved alone, so a rule over two keys is met one set later:
                // saved, and said (the console's `save` refuses instead).
                try store.save(enforcingChecks: false)
                Output.line(entry.description)
                if entry.source == .environment {
                    Output.error("note: saved, but the environment overrides \(entry.key.name) while it is set")
                }
                if entry.key.appliesAtRestart {
                    Output.error("note: \(entry.key.name) takes effect when the gateway starts again")
                }
                for conflict in store.conflicts where conflict.names(entry.key.name) {
                    Output.error("warning: saved, but " + conflict.description)
                }
            default:
                try store.unset(operands[0])
                try store.save(enforcingChecks: false)
                Output.line(try store.entry(operands[0]).description)
                for conflict in store.conflicts where conflict.names(operands[0]) {
                    Output.error("warning: saved, but " + conflict.description)
                }
            }
        } catch {
            Output.error("switchyard config: \(error.description)")
            return 1
        }
        return 0
    }
}
