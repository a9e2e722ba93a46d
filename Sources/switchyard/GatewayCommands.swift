import Board
import Console
import JSON
import Runtime
import ServiceCatalog
import ServiceKit
import Store
import Uplink

/// The built-in commands that need the gateway itself: status, tasks, mqtt, led, version,
/// reload, restart. (The config ones and `help` come from the Console module.) Over MQTT
/// without `cmnd.allow_privileged` only the readers run: `reload`, `restart`, `mqtt reconnect`
/// and `led test` are the trusted doors'.
enum GatewayCommands {
    static func register(_ gateway: Gateway, into registry: CommandRegistry) {
        registry.register(Command("status", help: "Show version, uptime, broker, LED and service health.",
                                  remote: .always) { _ in
            .json(gateway.stateSnapshot())
        })
        registry.register(Command("tasks", help: "List fixed-rate tasks with runs, overruns and timings.",
                                  remote: .always) { _ in
            var lines: [String] = []
            for task in gateway.loop.tasks {
                let stats = task.stats
                lines.append("\(task.name): every \(task.period.millisecondsText) ms, \(stats.runs) runs, "
                    + "\(stats.overruns) overruns, last \(stats.lastDuration.millisecondsText) ms, "
                    + "max \(stats.maxDuration.millisecondsText) ms")
            }
            return .text(lines.isEmpty ? "no tasks" : lines.joined(separator: "\n"))
        })
        registry.register(Command("mqtt", usage: "status|reconnect",
                                  help: "Show the broker connection, or drop and reconnect it now.",
                                  remote: .readOnly(["", "status"])) { request in
            switch request.argument(0) ?? "status" {
            case "status": return .json(gateway.uplinkSnapshot())
            case "reconnect":
                gateway.uplink.reconnect()
                return .text("reconnecting to \(gateway.uplink.settings.endpoint)")
            default: return .failure("usage: mqtt status|reconnect")
            }
        })
        registry.register(Command("led", usage: "test", help: "Cycle the status LED through every pattern.",
                                  remote: .readOnly([""])) { request in
            guard request.argument(0) == "test" else {
                return .text("LED pattern: \(gateway.led.pattern.name)")
            }
            gateway.led.test()
            return .text("cycling LED patterns, 3 s each")
        })
        registry.register(Command("reload",
                                  help: "Reread the saved settings and restart the services whose settings changed.") { _ in
            gateway.store.reload()
            let restarted = gateway.services.applySettings()
            let problems = gateway.store.problems.map { "\n" + $0 }.joined()
            return .text((restarted.isEmpty ? "settings reloaded; no service's settings changed"
                                            : "settings reloaded; restarted " + restarted.joined(separator: ", ")) + problems)
        })
        registry.register(Command("version", help: "Show the firmware version and architecture.",
                                  remote: .always) { _ in
            .text("switchyard \(Version.string) (\(Version.architecture))")
        })
        registry.register(Command("restart", help: "Stop gracefully and start again with the same arguments.") { _ in
            gateway.shutdown(reason: "restart requested", restart: true)
            return .text("restarting")
        })
    }
}
