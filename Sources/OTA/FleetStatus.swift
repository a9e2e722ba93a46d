import CLI
import JSON
import Runtime
import ServiceKit
import Uplink

/// `switchyard fleet status`: reads the retained inventory topics once and prints them.
struct FleetStatus {
    let group: String?
    let json: Bool
    let broker: OTABroker
    /// How long to wait for the retained messages after the broker granted the subscriptions.
    static let settle = Interval.milliseconds(600)
    /// How long to wait for the broker at all (`--timeout`, default 10 s).
    let timeout: Interval

    init(_ parsed: Arguments, broker: OTABroker) throws(UsageError) {
        group = parsed.value("--group")
        json = parsed.has("--json")
        self.broker = broker
        let timeoutText = parsed.value("--timeout") ?? "10"
        guard let seconds = Int(timeoutText), seconds >= 1 && seconds <= 3600 else {
            throw UsageError("--timeout \(timeoutText): seconds, 1 to 3600")
        }
        timeout = .seconds(Int64(seconds))
    }

    func run() -> Int32 {
        let loop: EventLoop
        let client: MQTTClient
        do throws(RuntimeError) { loop = try EventLoop() } catch {
            Output.error("switchyard fleet status: \(error.description)")
            return 1
        }
        do throws(UplinkError) { client = try broker.client(named: "fleet", on: loop) } catch {
            Output.error("switchyard fleet status: mqtt: \(error.description)")
            return 1
        }
        var inventory = FleetInventory()
        var granted = 0
        var refused: String?
        var lastMessage = loop.clock.now()
        for filter in FleetTopics.inventoryFilters {
            _ = client.subscribe(filter, qos: 1, acknowledged: { grant in
                if case .refused(_, let reason) = grant { refused = filter + ": " + reason } else { granted += 1 }
            }) { message in
                inventory.ingest(topic: message.topic, payload: message.payload)
                lastMessage = loop.clock.now()
            }
        }
        var exitStatus: Int32 = 1
        var finishing = false
        let started = loop.clock.now()
        func finish(_ status: Int32) {
            guard !finishing else { return }
            finishing = true
            exitStatus = status
            client.stop(grace: .seconds(1)) { loop.stop() }
        }
        _ = loop.addTask("fleet.status", every: .milliseconds(100)) {
            let now = loop.clock.now()
            if let refused {
                Output.error("switchyard fleet status: the broker refused " + refused)
                finish(1)
            } else if granted == FleetTopics.inventoryFilters.count && now - lastMessage > FleetStatus.settle {
                self.print(inventory.list(group: self.group))
                finish(0)
            } else if now - started > self.timeout {
                Output.error("switchyard fleet status: no answer from the broker at " + self.broker.description
                    + "; is it running? (--broker HOST[:PORT] names another)")
                finish(1)
            }
        }
        client.start()
        do throws(RuntimeError) { try loop.run() } catch {
            Output.error("switchyard fleet status: \(error.description)")
            return 1
        }
        return exitStatus
    }

    private func print(_ members: [FleetMember]) {
        if json {
            Output.line(JSONValue.array(members.map { $0.json }).prettyPrinted())
            return
        }
        for line in FleetTable.lines(members) { Output.line(line) }
        Output.line(String(members.count) + (members.count == 1 ? " gateway" : " gateways")
            + (group.map { " in group " + $0 } ?? ""))
    }
}

/// The inventory as a text table, one gateway per line (`fleet status`, `fleet rollout`).
enum FleetTable {
    static let header = ["NODE", "GROUP", "VERSION", "SLOT", "BOARD", "UPTIME", "ONLINE", "UPDATE", "LAST ROLLBACK"]

    static func lines(_ members: [FleetMember], note: (FleetMember) -> String = { _ in "" }) -> [String] {
        var rows = [header]
        for member in members {
            let online = member.online.map { $0 ? "online" : "offline" } ?? "?"
            rows.append([member.node, member.group, member.version, member.slot, member.board,
                         duration(member.uptimeSeconds), online, member.update + note(member),
                         String(member.lastRollback.utf8.prefix(60)) ?? ""])
        }
        var widths = [Int](repeating: 0, count: header.count)
        for row in rows { for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.utf8.count) } }
        return rows.map { row in
            var line = ""
            for (index, cell) in row.enumerated() {
                line += cell
                if index < row.count - 1 {
                    for _ in 0..<(widths[index] - cell.utf8.count + 2) { line += " " }
                }
            }
            return line
        }
    }

    /// `3d4h`, `2h5m`, `4m10s` or `9s`.
    static func duration(_ seconds: Int) -> String {
        if seconds >= 86400 { return String(seconds / 86400) + "d" + String(seconds % 86400 / 3600) + "h" }
        if seconds >= 3600 { return String(seconds / 3600) + "h" + String(seconds % 3600 / 60) + "m" }
        if seconds >= 60 { return String(seconds / 60) + "m" + String(seconds % 60) + "s" }
        return String(seconds) + "s"
    }
}
