import Console
import Foundation
import JSON
import Runtime
import ServiceKit
import Store
import Testing
import TestSupport
import Uplink

/// Commands that answer later (`later MS TEXT`, as BLE pairing does) through every door: the
/// door waits for the answer, keeps order, bounds what it waits for, and survives a caller
/// that leaves.
@Suite("Deferred answers through the console, RPC and MQTT doors", .serialized)
struct DeferredAnswerTests {
    private func server(_ fixture: ConsoleFixture, maxPendingAnswers: Int = 8) throws -> RPCServer {
        let server = RPCServer(registry: fixture.registry, loop: fixture.loop, bind: "127.0.0.1", port: 0,
                               maxPendingAnswers: maxPendingAnswers)
        try server.start()
        return server
    }

    @Test("RPC: the reply comes when the answer does, and the next request of the connection waits behind it")
    func rpcOrder() throws {
        let fixture = try ConsoleFixture()
        let server = try server(fixture)
        defer { server.stop() }
        let client = RPCTestClient(port: server.boundPort)
        let start = Date()
        client.send(#"{"jsonrpc":"2.0","id":1,"method":"later","params":["500","first"]}"# + "\n"
                    + #"{"jsonrpc":"2.0","id":2,"method":"get","params":["mqtt.qos"]}"# + "\n", loop: fixture.loop)
        let first = try client.nextReply(loop: fixture.loop)
        let waited = Date().timeIntervalSince(start)
        #expect(first?["id"] == 1 && first?["result"] == "first", "\(String(describing: first))")
        #expect(waited >= 0.45, "answered when ready, not at once")
        let second = try client.nextReply(loop: fixture.loop)
        #expect(second?["id"] == 2 && second?["result"]?["value"] == "0")
        // And the connection goes on as before.
        #expect(try client.call(#"{"jsonrpc":"2.0","id":3,"method":"later","params":["10"]}"#, loop: fixture.loop)?["result"] == "done")
    }

    @Test("RPC: a batch with deferred members answers once all have, in order")
    func rpcBatch() throws {
        let fixture = try ConsoleFixture()
        let server = try server(fixture)
        defer { server.stop() }
        let client = RPCTestClient(port: server.boundPort)
        let start = Date()
        let reply = try client.call("[" + #"{"jsonrpc":"2.0","id":1,"method":"later","params":["300","a"]},"#
                                    + #"{"jsonrpc":"2.0","id":2,"method":"get","params":["mqtt.qos"]},"#
                                    + #"{"jsonrpc":"2.0","method":"later","params":["50"]},"#
                                    + #"{"jsonrpc":"2.0","id":3,"method":"later","params":["100","b"]}"# + "]",
                                    loop: fixture.loop)
        #expect(Date().timeIntervalSince(start) >= 0.38, "members run one after the other")
        let replies = try #require(reply?.arrayValue)
        #expect(replies.map { $0["id"] } == [1, 2, 3], "the notification gets no reply")
        #expect(replies[0]["result"] == "a" && replies[2]["result"] == "b")
    }

    @Test("RPC: a client that leaves before its answer gets nothing written, and the server goes on")
    func rpcClientLeaves() throws {
        let fixture = try ConsoleFixture()
        let server = try server(fixture)
        defer { server.stop() }
        do {
            let leaving = RPCTestClient(port: server.boundPort)
            leaving.send(#"{"jsonrpc":"2.0","id":1,"method":"later","params":["400","lost"]}"# + "\n", loop: fixture.loop)
            #expect(fixture.loop.run(timeout: 3) { server.requests == 1 })
        } // closed here, before the answer
        let staying = RPCTestClient(port: server.boundPort)
        #expect(try staying.call(#"{"jsonrpc":"2.0","id":7,"method":"get","params":["mqtt.qos"]}"#, loop: fixture.loop)?["id"] == 7)
        // The answer comes and goes nowhere; the other client sees nothing of it.
        #expect(staying.nextLine(loop: fixture.loop, timeout: 1.0) == nil)
        #expect(fixture.loop.run(timeout: 3) { server.clientCount == 1 })
        #expect(try staying.call(#"{"jsonrpc":"2.0","id":8,"method":"later","params":["20","still"]}"#, loop: fixture.loop)?["result"] == "still")
    }

    @Test("RPC: answers awaited at once are bounded; more are refused with a clear error")
    func rpcPendingBound() throws {
        let fixture = try ConsoleFixture()
        let server = try server(fixture, maxPendingAnswers: 2)
        defer { server.stop() }
        let clients = (0..<3).map { _ in RPCTestClient(port: server.boundPort) }
        for (index, client) in clients.enumerated() {
            client.send(#"{"jsonrpc":"2.0","id":\#(index),"method":"later","params":["600"]}"# + "\n", loop: fixture.loop)
            #expect(fixture.loop.run(timeout: 3) { server.requests == index + 1 })
        }
        let refused = try clients[2].nextReply(loop: fixture.loop, timeout: 0.3)
        #expect(refused?["error"]?["message"]?.stringValue?.contains("too many requests waiting for their answer (max 2)") == true,
                "\(String(describing: refused))")
        #expect(try clients[0].nextReply(loop: fixture.loop)?["result"] == "done")
        #expect(try clients[1].nextReply(loop: fixture.loop)?["result"] == "done")
    }

    @Test("console: the answer is printed when it comes, then the prompt; what was typed meanwhile runs after")
    func consoleWaits() throws {
        let fixture = try ConsoleFixture()
        let pty = PseudoTerminal()
        let console = ConsoleTerminal(registry: fixture.registry, loop: fixture.loop, device: pty.slavePath)
        try console.start()
        defer { console.stop() }
        #expect(pty.waitFor("switchyard> ", loop: fixture.loop))
        pty.clear()
        pty.type("later 400 answered\r")
        pty.type("get mqtt.qos\r")
        #expect(pty.waitFor("mqtt.qos = 0", loop: fixture.loop))
        let text = pty.text
        // The echo of the typed line, then the answer on a line of its own.
        let answer = try #require(text.range(of: "\r\nanswered\r\n"))
        let next = try #require(text.range(of: "mqtt.qos = 0"))
        #expect(answer.upperBound <= next.lowerBound, "\(text)")
        #expect(text[answer.upperBound...].hasPrefix("switchyard> "), "the prompt follows the answer: \(text)")
        #expect(console.commandsRun == 2)
    }

    @Test("MQTT: the result is published when the answer comes")
    func mqttResult() throws {
        let fixture = try ConsoleFixture()
        let broker = try MosquittoBroker()
        let topics = StatusTopics(node: "test")
        let settings = MQTTSettings(host: "127.0.0.1", port: Int32(broker.port), clientID: "deferred-\(UUID().uuidString.prefix(8))")
        let client = try MQTTClient(name: "uplink", settings: settings, loop: fixture.loop)
        let bridge = CommandTopicBridge(port: client, registry: fixture.registry, topics: topics, loop: fixture.loop)
        let observer = try MQTTObserver(port: broker.port, topics: [topics.result])
        bridge.start()
        client.start()
        #expect(fixture.loop.run(timeout: 5) { client.isConnected })
        #expect(fixture.loop.run(timeout: 5) { client.subscriptionsAnswered })
        try MQTTTool.publish(port: broker.port, topic: topics.commandPrefix + "later", message: "700 late")
        #expect(fixture.loop.run(timeout: 3) { bridge.pendingAnswers == 1 })
        #expect(observer.lines.isEmpty, "nothing before the answer")
        #expect(fixture.loop.run(timeout: 5) { !observer.lines.isEmpty })
        #expect(observer.lines.first == topics.result + #" {"cmd":"later","ok":true,"output":"late"}"#)
        #expect(bridge.pendingAnswers == 0)
    }
}
