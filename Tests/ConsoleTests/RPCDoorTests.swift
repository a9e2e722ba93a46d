import Console
import Contracts
import Foundation
import JSON
import Runtime
import Store
import Testing
import TestSupport

/// The RPC door under abuse: no token, wrong tokens, idle and half-sent requests holding
/// slots, batches whose replies would not fit.
@Suite("JSON-RPC door: token, timeouts, reply cap")
struct RPCDoorTests {
    static let token = String(repeating: "ab", count: 32)

    private func errorCode(_ reply: JSONValue?) -> Int? { reply?["error"]?["code"]?.intValue }

    private func server(
        _ fixture: ConsoleFixture, token: String? = RPCDoorTests.token, maxClients: Int = 16,
        outputLimit: Int = 256 * 1024, idle: Interval = .seconds(300), read: Interval = .seconds(10)
    ) throws -> RPCServer {
        let server = RPCServer(registry: fixture.registry, loop: fixture.loop, bind: "127.0.0.1", port: 0,
                               token: token, maxClients: maxClients, outputLimit: outputLimit,
                               idleTimeout: idle, readTimeout: read)
        try server.start()
        return server
    }

    @Test("without the token nothing runs; the right token opens the session, only that one")
    func tokenRequired() throws {
        let fixture = try ConsoleFixture()
        let server = try server(fixture)
        defer { server.stop() }
        let client = RPCTestClient(port: server.boundPort)
        let refused = try client.call(#"{"jsonrpc":"2.0","id":1,"method":"set","params":["mqtt.port","1999"]}"#,
                                      loop: fixture.loop)
        #expect(errorCode(refused) == -32001)
        #expect(refused?["error"]?["message"]?.stringValue?.contains("rpc.token") == true)
        #expect(fixture.store.integer(StandardKeys.mqttPort) == 1883, "the refused request did not run")

        let wrong = try client.call(#"{"jsonrpc":"2.0","id":2,"method":"auth","params":["nope"]}"#, loop: fixture.loop)
        #expect(errorCode(wrong) == -32002)
        let right = try client.call(#"{"jsonrpc":"2.0","id":3,"method":"auth","params":{"token":"\#(Self.token)"}}"#,
                                    loop: fixture.loop)
        #expect(right?["result"] == "authenticated")
        let set = try client.call(#"{"jsonrpc":"2.0","id":4,"method":"set","params":["mqtt.port","1999"]}"#,
                                  loop: fixture.loop)
        #expect(set?["result"]?["value"] == "1999")

        let other = RPCTestClient(port: server.boundPort)
        let stillClosed = try other.call(#"{"jsonrpc":"2.0","id":5,"method":"config"}"#, loop: fixture.loop)
        #expect(errorCode(stillClosed) == -32001, "authentication belongs to one connection")
    }

    @Test("three wrong tokens close the connection")
    func guessingIsCut() throws {
        let fixture = try ConsoleFixture()
        let server = try server(fixture)
        defer { server.stop() }
        let client = RPCTestClient(port: server.boundPort)
        for guess in 0..<3 {
            let reply = try client.call(#"{"jsonrpc":"2.0","id":\#(guess),"method":"auth","params":["\#(guess)"]}"#,
                                        loop: fixture.loop)
            #expect(errorCode(reply) == -32002)
        }
        #expect(client.waitForEndOfFile(loop: fixture.loop))
        #expect(server.authenticationDrops == 1)
    }

    @Test("idle clients and half-sent lines lose their slot, so a new client gets in")
    func timeoutsFreeSlots() throws {
        let fixture = try ConsoleFixture()
        let server = try server(fixture, token: nil, maxClients: 2, idle: .milliseconds(400), read: .milliseconds(200))
        defer { server.stop() }
        let idle = RPCTestClient(port: server.boundPort)
        let stalled = RPCTestClient(port: server.boundPort)
        stalled.send(#"{"jsonrpc":"2.0","id":1,"me"#, loop: fixture.loop)
        #expect(fixture.loop.run(timeout: 5) { server.clientCount == 2 })
        #expect(stalled.waitForEndOfFile(loop: fixture.loop), "the unfinished line timed out")
        #expect(idle.waitForEndOfFile(loop: fixture.loop), "the silent client timed out")
        #expect(server.timedOutClients == 2)
        #expect(server.clientCount == 0)

        let fresh = RPCTestClient(port: server.boundPort)
        let reply = try fresh.call(#"{"jsonrpc":"2.0","id":2,"method":"get","params":["mqtt.qos"]}"#, loop: fixture.loop)
        #expect(reply?["result"]?["value"] == "0")
    }

    @Test("a client that keeps sending requests is not idle")
    func activeClientsStay() throws {
        let fixture = try ConsoleFixture()
        let server = try server(fixture, token: nil, idle: .milliseconds(400))
        defer { server.stop() }
        let client = RPCTestClient(port: server.boundPort)
        let until = Date().addingTimeInterval(1.2)
        while Date() < until {
            let reply = try client.call(#"{"jsonrpc":"2.0","id":1,"method":"get","params":["mqtt.qos"]}"#,
                                        loop: fixture.loop)
            #expect(reply?["result"] != nil)
            fixture.loop.run(timeout: 0.1) { false }
        }
        #expect(server.timedOutClients == 0)
    }

    @Test("a batch whose replies would not fit gets an error reply, and memory stays bounded")
    func oversizedBatch() throws {
        let fixture = try ConsoleFixture()
        let server = try server(fixture, token: nil, outputLimit: 16 * 1024)
        defer { server.stop() }
        let client = RPCTestClient(port: server.boundPort)
        let member = #"{"jsonrpc":"2.0","id":1,"method":"blob","params":["1000"]}"#
        let batch = "[" + Array(repeating: member, count: 60).joined(separator: ",") + "]"
        let reply = try client.call(batch, loop: fixture.loop)
        #expect(errorCode(reply) == -32003, "\(String(describing: reply))")
        let message = reply?["error"]?["message"]?.stringValue ?? ""
        #expect(message.contains("smaller batches") && message.contains("of its 60"))
        #expect(server.oversizedReplies == 1)
        // One reply alone over the limit is answered the same way, with its id.
        let single = try client.call(#"{"jsonrpc":"2.0","id":7,"method":"blob","params":["20000"]}"#, loop: fixture.loop)
        #expect(errorCode(single) == -32003)
        #expect(single?["id"] == 7)
        // And the connection is still served.
        let ok = try client.call(#"{"jsonrpc":"2.0","id":8,"method":"blob","params":["10"]}"#, loop: fixture.loop)
        #expect(ok?["result"] == "bbbbbbbbbb")
        #expect(server.slowClientsDropped == 0)
    }

    @Test("the token file: made once with mode 0600, the same after, remade when damaged")
    func tokenFile() throws {
        let directory = TemporaryDirectory(prefix: "rpc-token")
        let first = try RPCToken.loadOrCreate(in: directory.path)
        #expect(first.count == 64)
        let path = RPCToken.path(in: directory.path)
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(try RPCToken.loadOrCreate(in: directory.path) == first)
        try Data("short".utf8).write(to: URL(fileURLWithPath: path))
        let remade = try RPCToken.loadOrCreate(in: directory.path)
        #expect(remade != first && remade.count == 64)
        #expect(RPCToken.matches(remade, remade))
        #expect(!RPCToken.matches(String(remade.dropLast()), remade))
        #expect(!RPCToken.matches(remade + "0", remade))
    }

    @Test("privileged keys: refused over MQTT unless allowed, accepted (and logged) elsewhere")
    func privilegedKeys() throws {
        let fixture = try ConsoleFixture()
        let (_, lines) = LogCapture.lines {
            for key in ["mqtt.host", "mqtt.password", "rpc.bind", "cmnd.allow_privileged", "rpc.allow_local"] {
                let reply = fixture.registry.execute("set", CommandRequest(origin: .mqtt, arguments: [key, "x1"]))
                #expect(!reply.ok, "\(key)")
                #expect(reply.output.text.contains("cmnd.allow_privileged"))
            }
            #expect(fixture.store.string(StandardKeys.mqttHost) == "localhost")
            let unset = fixture.registry.execute("unset", CommandRequest(origin: .mqtt, arguments: ["mqtt.host"]))
            #expect(!unset.ok)
            let plain = fixture.registry.execute("set", CommandRequest(origin: .mqtt, arguments: ["test.poll_s", "20"]))
            #expect(plain.ok, "keys declared remote-safe still work over MQTT")
            let allowed = fixture.registry.execute(
                "set", CommandRequest(origin: .mqtt, arguments: ["mqtt.host", "broker.lan"], allowsPrivileged: true))
            #expect(allowed.ok)
            let console = fixture.registry.execute("set", CommandRequest(origin: .console,
                                                                         arguments: ["mqtt.password", "pw-9"]))
            #expect(console.ok)
        }
        let text = lines.joined(separator: "\n")
        #expect(text.contains("privileged change: mqtt.password over console"))
        #expect(!text.contains("pw-9"), "the value is never logged")
        #expect(text.contains("refused over mqtt: set mqtt.host"))
    }
}
