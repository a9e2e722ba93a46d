import Contracts
import JSON
import Runtime
import Store

/// The config store's commands, the same on every door: `config`, `get KEY`,
/// `set KEY VALUE`, `unset KEY`, `save`, and `log` for the running log settings.
///
/// Secrets never leave the store in clear text: every reply is built from `ConfigEntry`,
/// whose value is already masked as `***`. People (the console) get one line per key;
/// programs (MQTT, RPC) get the same facts as JSON objects. Over RPC, named parameters
/// work as well as positional ones: `{"key": "mqtt.port", "value": 1884}`.
public enum ConfigCommands {
    /// Adds `config`, `get`, `set`, `unset`, `save` and `log` for `store` to `registry`.
    public static func register(in registry: CommandRegistry, store: ConfigStore) {
        registry.register(Command(
            "config", usage: "[show|keys]",
            help: "Show every setting and where its value comes from (secrets as ***); \"config keys\" explains them.",
            remote: .always
        ) { request in show(request, store) })
        registry.register(Command("get", usage: "KEY", help: "Show one setting and where its value comes from.",
                                  remote: .always) { request in
            guard let name = operand(request, 0, "key"), request.arguments.count <= 1 else {
                return .failure("usage: get KEY")
            }
            do throws(StoreError) { return reply(try store.entry(name), request) } catch {
                return .failure(error.description)
            }
        })
        // The registry (which lives as long as the gateway) is kept by these handlers to
        // count and log refusals in one place: a cycle, like `help`'s.
        let perKey = CommandRemoteAccess.decidedByHandler(rule: "keys marked \"" + AnyConfigKey.remoteMarker + "\" in config keys")
        registry.register(Command(
            "set", usage: "KEY VALUE", help: "Change a setting (quote a value with spaces); \"save\" keeps it.",
            remote: perKey
        ) { request in
            guard let name = operand(request, 0, "key"), let value = operand(request, 1, "value"),
                  request.arguments.count <= 2 else {
                return .failure("usage: set KEY VALUE (quote a value that has spaces: set KEY \"two words\")")
            }
            do throws(StoreError) {
                if let refusal = try privilegeCheck("set", name, request, store, registry) { return refusal }
                let entry = try store.set(name, to: value)
                logPrivileged(entry.key, request)
                return reply(entry, request, changed: true)
            } catch {
                return .failure(error.description)
            }
        })
        registry.register(Command(
            "unset", usage: "KEY", help: "Return a setting to the board's or the built-in default; \"save\" keeps it.",
            remote: perKey
        ) { request in
            guard let name = operand(request, 0, "key"), request.arguments.count <= 1 else {
                return .failure("usage: unset KEY")
            }
            do throws(StoreError) {
                if let refusal = try privilegeCheck("unset", name, request, store, registry) { return refusal }
                try store.unset(name)
                let entry = try store.entry(name)
                logPrivileged(entry.key, request)
                return reply(entry, request, changed: true)
            } catch {
                return .failure(error.description)
            }
        })
        // `save` over MQTT: `set` takes effect only when saved, so a remote-safe change is
        // useless without it, and persisting one is as harmless as making it. But a save
        // persists (and applies) every unsaved change, including ones made on the console
        // that its user has not decided to keep: those are the trusted door's to save.
        registry.register(Command(
            "save", help: "Write the changed settings to the data partition.",
            remote: .decidedByHandler(rule: "when every unsaved change is to such a key")
        ) { request in
            guard request.arguments.isEmpty else { return .failure("usage: save") }
            if !request.allowsPrivileged {
                let privileged = store.unsavedNames.sorted().filter { store.schema.key(named: $0)?.isRemoteSafe != true }
                if !privileged.isEmpty {
                    return registry.refuse("save", limitKey: "save", request, reply: "save would also keep unsaved changes of "
                        + privileged.joined(separator: ", ") + ", which MQTT may not change: save on the console or over RPC "
                        + "(or with cmnd.allow_privileged on)")
                }
            }
            do throws(StoreError) { try store.save() } catch { return .failure(error.description) }
            return .text("saved to " + store.dataDirectory + "/config")
        })
        LogCommand.register(in: registry)
    }

    /// A refusal when `name` is not remote-safe and the door does not trust its caller;
    /// otherwise nil. Unknown keys throw as `set` would.
    private static func privilegeCheck(
        _ verb: String, _ name: String, _ request: CommandRequest, _ store: ConfigStore, _ registry: CommandRegistry
    ) throws(StoreError) -> CommandReply? {
        let key = try store.schema.lookup(name)
        guard key.isPrivileged else { return nil }
        guard request.allowsPrivileged else {
            return registry.refuse(verb + " " + key.name, limitKey: verb + " " + key.name, request,
                                   reply: key.name + " is not " + AnyConfigKey.remoteMarker + ": change it on the console "
                                       + "or over RPC (MQTT may only when cmnd.allow_privileged is on)")
        }
        return nil
    }

    /// Logs a privileged change that was made (the key and the door, never the value): only
    /// after the store took it, so a refused value leaves no line claiming a change.
    private static func logPrivileged(_ key: AnyConfigKey, _ request: CommandRequest) {
        guard key.isPrivileged else { return }
        log.warning("privileged change: " + key.name + " over " + request.origin.name)
    }

    private static let log = Logger("config")

    private static func show(_ request: CommandRequest, _ store: ConfigStore) -> CommandReply {
        switch request.argument(0) {
        case nil, "show"?:
            if request.origin == .console {
                var lines = store.show()
                if store.hasUnsavedChanges { lines.append("(unsaved changes: \"save\" keeps them)") }
                let pending = store.pendingRestartNames
                if !pending.isEmpty {
                    lines.append("(" + pending.joined(separator: ", ") + " " + (pending.count == 1 ? "takes" : "take")
                                 + " effect at the next restart: \"restart\")")
                }
                return .text(lines.joined(separator: "\n"))
            }
            var settings = JSONObject()
            for key in store.schema.keys {
                // Cannot fail: the name comes from the store's own schema.
                guard let entry = try? store.entry(key.name) else { continue }
                settings.append(key.name, entryJSON(entry))
            }
            return .json(.object(settings))
        case "keys"?:
            return .text((store.schema.helpLines() + [AnyConfigKey.remoteRule]).joined(separator: "\n"))
        case let other?:
            return .failure("unknown config action \"" + other + "\": use \"config\" (or \"config show\") or \"config keys\"")
        }
    }

    /// The positional argument at `index`, or the named parameter `name` (JSON-RPC objects;
    /// a number or boolean counts as its JSON text, so `"value": 1884` works).
    private static func operand(_ request: CommandRequest, _ index: Int, _ name: String) -> String? {
        if let value = request.parameter(name) { return value.stringValue ?? value.serialized() }
        return request.argument(index)
    }

    /// An entry for people (`key = value  (source)` plus notes) or programs (JSON).
    private static func reply(_ entry: ConfigEntry, _ request: CommandRequest, changed: Bool = false) -> CommandReply {
        let overridden = changed && entry.source == .environment
        if request.origin != .console {
            var object = entryJSON(entry)
            if changed {
                object["saved"] = false
                object["environmentOverrides"] = .bool(overridden)
                object["appliesAtRestart"] = .bool(entry.key.appliesAtRestart)
            }
            return .json(object)
        }
        var text = entry.description
        if overridden {
            text += "\nnote: the environment variable " + (entry.key.environmentName ?? "")
                + " overrides this setting while it is set"
        }
        if changed { text += "\n(not saved yet: \"save\" keeps it)" }
        if changed && entry.key.appliesAtRestart {
            text += "\nnote: " + entry.key.name + " takes effect at the next restart (\"restart\" after \"save\")"
        }
        return .text(text)
    }

    private static func entryJSON(_ entry: ConfigEntry) -> JSONValue {
        var object: JSONObject = ["key": .string(entry.key.name), "value": .string(entry.displayValue),
                                  "source": .string(entry.source.name)]
        if entry.pendingRestart { object["pendingRestart"] = true }
        return .object(object)
    }
}
