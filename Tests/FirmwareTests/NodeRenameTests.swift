import Foundation
import TestSupport
import Testing

/// `node.name` applies without a restart, checked on a real broker: the old status topic
/// is left `offline` (retained) with its state cleared, everything (status, state, command
/// topics, a service's topics) moves under the new name, and the process never restarts.
@Suite("switchyard run moves its topics when node.name changes", .serialized)
struct NodeRenameTests {
    /// The retained message on `topic` once there is one, or nil after `timeout`.
    private func retainedSoon(_ port: Int, _ topic: String, timeout: TimeInterval = 10) throws -> String? {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let text = try MQTTTool.retained(port: port, topic: topic, timeout: 1) { return text }
        }
        return nil
    }

    @Test("set node.name + save moves status, state, commands and OTA's topics; the old status says offline")
    func renameMovesEveryTopic() throws {
        let broker = try MosquittoBroker()
        let data = TemporaryDirectory(prefix: "gateway-rename")
        #expect(ChildProcessConfig.set(["ota.enabled": "true"], data: data.path))
        let gateway = try GatewayProcess(broker: broker, data: data)
        defer { gateway.process.signal(SIGKILL) }
        let oldBase = "switchyard/" + gateway.node
        let newBase = "switchyard/garage-" + String(gateway.node.suffix(6))
        #expect(try MQTTTool.waitForRetained(port: broker.port, topic: oldBase + "/status", equals: "online"), "\(gateway.log)")
        #expect(try retainedSoon(broker.port, oldBase + "/ota/status") != nil, "OTA runs under the old name")
        let pid = gateway.process.pid

        let rpc = try gateway.rpcClient()
        let set = try rpc.call("set", ["node.name", String(newBase.dropFirst("switchyard/".count))])
        #expect(!"\(set)".contains("restart"), "node.name applies live: \(set)")
        _ = try rpc.call("save")

        #expect(try MQTTTool.waitForRetained(port: broker.port, topic: newBase + "/status", equals: "online"), "\(gateway.log)")
        #expect(try MQTTTool.waitForRetained(port: broker.port, topic: oldBase + "/status", equals: "offline"))
        #expect(try MQTTTool.retained(port: broker.port, topic: oldBase + "/state") == nil, "the old state is cleared")
        let deadline = Date().addingTimeInterval(10)
        var state: String? = nil
        while Date() < deadline {
            state = try MQTTTool.retained(port: broker.port, topic: newBase + "/state", timeout: 1)
            if state?.contains("\"node\":\"" + newBase.dropFirst("switchyard/".count) + "\"") == true { break }
        }
        #expect(state?.contains("\"node\":\"" + newBase.dropFirst("switchyard/".count) + "\"") == true, "\(state ?? "none")")
        #expect(try retainedSoon(broker.port, newBase + "/ota/status") != nil, "OTA publishes under the new name")

        // Commands: the new topic answers, the old one is no longer listened to.
        let results = try MQTTObserver(port: broker.port, topics: [newBase + "/result", oldBase + "/result"])
        try MQTTTool.publish(port: broker.port, topic: oldBase + "/cmnd/version", message: "")
        try MQTTTool.publish(port: broker.port, topic: newBase + "/cmnd/version", message: "")
        #expect(results.wait { lines in lines.contains { $0.hasPrefix(newBase + "/result") && $0.contains("switchyard") } },
                "\(results.lines)")
        #expect(!results.lines.contains { $0.hasPrefix(oldBase + "/result") }, "\(results.lines)")
        #expect(gateway.log.contains("node.name " + gateway.node + " -> "), "\(gateway.log)")
        #expect(gateway.process.pid == pid && gateway.process.isRunning, "no restart")
        gateway.process.signal(SIGTERM)
        #expect(gateway.process.wait(timeout: 10)?.status == 0)
    }
}
