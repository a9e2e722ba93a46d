import Foundation
import TestSupport
import Testing

/// `node.name` applies without a restart, checked on a real broker: the old status topic
/// is left `offline` (retained) with its state cleared, everything (status, state, command
/// topics, a service's topics) moves under the new name, and the process never restarts.
///
/// Every check subscribes and waits for the message (retained ones arrive on subscribe):
/// asking for a retained message that is not there yet would only wait out a timeout.
@Suite("switchyard run moves its topics when node.name changes", .serialized)
struct NodeRenameTests {
    @Test("set node.name + save moves status, state, commands and OTA's topics; the old status says offline")
    func renameMovesEveryTopic() throws {
        let broker = try MosquittoBroker()
        let data = TemporaryDirectory(prefix: "gateway-rename")
        #expect(ChildProcessConfig.set(["ota.enabled": "true"], data: data.path))
        let gateway = try GatewayProcess(broker: broker, data: data)
        defer { gateway.process.signal(SIGKILL) }
        let newName = "garage-" + String(gateway.node.suffix(6))
        let oldBase = "switchyard/" + gateway.node, newBase = "switchyard/" + newName
        let old = try MQTTObserver(port: broker.port, topics: [oldBase + "/status", oldBase + "/state", oldBase + "/ota/status"])
        #expect(old.wait(timeout: 10) { _ in old.payloads(on: oldBase + "/status").last == "online" }, "\(gateway.log)")
        #expect(old.wait(timeout: 10) { _ in !old.payloads(on: oldBase + "/ota/status").isEmpty }, "OTA runs under the old name")
        let pid = gateway.process.pid

        let rpc = try gateway.rpcClient()
        let set = try rpc.call("set", ["node.name", newName])
        #expect(!"\(set)".contains("restart"), "node.name applies live: \(set)")
        _ = try rpc.call("save")

        let new = try MQTTObserver(port: broker.port, topics: [newBase + "/status", newBase + "/state", newBase + "/ota/status"])
        #expect(new.wait(timeout: 10) { _ in new.payloads(on: newBase + "/status").last == "online" }, "\(gateway.log)")
        #expect(new.wait(timeout: 10) { _ in
            new.payloads(on: newBase + "/state").contains { $0.contains("\"node\":\"" + newName + "\"") }
        }, "\(new.lines)")
        #expect(new.wait(timeout: 10) { _ in !new.payloads(on: newBase + "/ota/status").isEmpty }, "OTA publishes under the new name")
        #expect(old.wait(timeout: 10) { _ in old.payloads(on: oldBase + "/status").last == "offline" }, "\(old.lines)")
        // An empty retained message deletes the old state; mosquitto_sub shows it as "(null)".
        #expect(old.wait(timeout: 10) { _ in ["", "(null)"].contains(old.payloads(on: oldBase + "/state").last ?? "x") },
                "the old state is cleared: \(old.lines)")
        // A late subscriber finds the old name retained offline (and its state gone).
        let late = try MQTTObserver(port: broker.port, topics: [oldBase + "/status"])
        #expect(late.wait(timeout: 10) { _ in late.payloads(on: oldBase + "/status") == ["offline"] }, "\(late.lines)")

        // Commands: the new topic answers, the old one is no longer listened to.
        let results = try MQTTObserver(port: broker.port, topics: [newBase + "/result", oldBase + "/result"])
        try MQTTTool.publish(port: broker.port, topic: oldBase + "/cmnd/version", message: "")
        try MQTTTool.publish(port: broker.port, topic: newBase + "/cmnd/version", message: "")
        #expect(results.wait { _ in !results.payloads(on: newBase + "/result").isEmpty }, "\(results.lines)")
        #expect(results.payloads(on: oldBase + "/result").isEmpty, "\(results.lines)")
        #expect(gateway.log.contains("node.name " + gateway.node + " -> " + newName), "\(gateway.log)")
        #expect(gateway.process.pid == pid && gateway.process.isRunning, "no restart")
        gateway.process.signal(SIGTERM)
        #expect(gateway.process.wait(timeout: 10)?.status == 0)
    }
}
