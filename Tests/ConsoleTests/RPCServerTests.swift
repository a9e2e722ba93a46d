import Console
import Foundation
import JSON
import Runtime
import Store
import Testing

@Suite("JSON-RPC over a real TCP socket")
struct RPCServerTests {
    private func startServer(
        _ fixture: ConsoleFixture, maxClients: Int = 16, outputLimit: Int = 256 * 1024
    ) throws -> RPCServer {
        let server = RPCServer(registry: fixture.registry, loop: fixture.loop, bind: "127.0.0.1", port: 0,
                               maxClients: maxClients, outputLimit: outputLimit)
        try server.start()
        #expect(server.boundPort > 0)
        return server
    }

    private func errorCode(_ reply: JSONValue?) -> Int? { reply?["error"]?["code"]?.intValue }

    /// The server still answers a normal request on a fresh connection.
    private func stillServes(_ server: RPCServer, _ fixture: ConsoleFixture) throws -> Bool {
        let client = RPCTestClient(port: server.boundPort)
        let reply = try client.call(#"{"jsonrpc":"2.0","id":99,"method":"get","params":["mqtt.qos"]}"#, loop: fixture.loop)
        return reply?["result"]?["value"] == "0"
    }

    @Test("a command round trip: method and params in, result out, same id")
    func roundTrip() throws {
        let fixture = try ConsoleFixture()
        let server = try startServer(fixture)
        defer { server.stop() }
        let client = RPCTestClient(port: server.boundPort)
        let reply = try client.call(#"{"jsonrpc":"2.0","id":1,"method":"get","params":["mqtt.port"]}"#, loop: fixture.loop)
        #expect(reply == .object(["jsonrpc": "2.0", "id": 1,
                                  "result": ["key": "mqtt.port", "value": "1883", "source": "default"]]))
        let help = try client.call(#"{"jsonrpc":"2.0","id":"h","method":"help","params":["set"]}"#, loop: fixture.loop)
        #expect(help?["id"] == "h")
        #expect(help?["result"]?.stringValue?.hasPrefix("set KEY VALUE") == true)
    }

    @Test("params as an array are arguments (numbers as their text); as an object, named parameters")
    func paramsArrayAndObject() throws {
        let fixture = try ConsoleFixture()
        let server = try startServer(fixture)
        defer { server.stop() }
        let client = RPCTestClient(port: server.boundPort)
        let positional = try client.call(#"{"jsonrpc":"2.0","id":1,"method":"set","params":["mqtt.port",1884]}"#,
                                         loop: fixture.loop)
        #expect(positional?["result"]?["value"] == "1884")
        #expect(positional?["result"]?["saved"] == false)
        let named = try client.call(#"{"jsonrpc":"2.0","id":2,"method":"set","params":{"key":"mqtt.host","value":"broker.lan"}}"#,
                                    loop: fixture.loop)
        #expect(named?["result"]?["value"] == "broker.lan")
        #expect(fixture.store.integer(StandardKeys.mqttPort) == 1884)
        #expect(fixture.store.string(StandardKeys.mqttHost) == "broker.lan")
    }

    @Test("a notification runs but gets no reply")
    func notification() throws {
        let fixture = try ConsoleFixture()
        let server = try startServer(fixture)
        defer { server.stop() }
        let client = RPCTestClient(port: server.boundPort)
        client.send(#"{"jsonrpc":"2.0","method":"set","params":["mqtt.port","1900"]}"# + "\n", loop: fixture.loop)
        client.send(#"{"jsonrpc":"2.0","method":"no-such-method"}"# + "\n", loop: fixture.loop)
        let reply = try client.call(#"{"jsonrpc":"2.0","id":2,"method":"get","params":["mqtt.port"]}"#, loop: fixture.loop)
        #expect(reply?["id"] == 2, "the first line back answers the request, not the notifications")
        #expect(reply?["result"]?["value"] == "1900")
    }

    @Test("every error code: parse error, invalid request, unknown method, invalid params, failed command")
    func errorCodes() throws {
        let fixture = try ConsoleFixture()
        let server = try startServer(fixture)
        defer { server.stop() }
        let client = RPCTestClient(port: server.boundPort)
        let loop = fixture.loop

        let parse = try client.call(#"{"jsonrpc":"2.0","id":1,"method":"get""#, loop: loop)
        #expect(errorCode(parse) == -32700)
        #expect(parse?["id"] == .null)

        let version = try client.call(#"{"jsonrpc":"1.0","id":2,"method":"get"}"#, loop: loop)
        #expect(errorCode(version) == -32600)
        #expect(version?["id"] == 2)
        #expect(errorCode(try client.call(#"{"jsonrpc":"2.0","id":3}"#, loop: loop)) == -32600)
        #expect(errorCode(try client.call(#""just a string""#, loop: loop)) == -32600)
        let badID = try client.call(#"{"jsonrpc":"2.0","id":{"x":1},"method":"get"}"#, loop: loop)
        #expect(errorCode(badID) == -32600)
        #expect(badID?["id"] == .null)

        let unknown = try client.call(#"{"jsonrpc":"2.0","id":4,"method":"frobnicate"}"#, loop: loop)
        #expect(errorCode(unknown) == -32601)
        #expect(unknown?["error"]?["message"]?.stringValue?.contains("frobnicate") == true)

        let params = try client.call(#"{"jsonrpc":"2.0","id":5,"method":"get","params":"mqtt.port"}"#, loop: loop)
        #expect(errorCode(params) == -32602)
        #expect(params?["id"] == 5)

        let failed = try client.call(#"{"jsonrpc":"2.0","id":6,"method":"get","params":["mqtt.prot"]}"#, loop: loop)
        #expect(errorCode(failed) == -32000)
        #expect(failed?["error"]?["message"]?.stringValue?.contains("did you mean \"mqtt.port\"") == true)

        // After all of that, the same connection still works.
        let good = try client.call(#"{"jsonrpc":"2.0","id":7,"method":"get","params":["mqtt.port"]}"#, loop: loop)
        #expect(good?["result"]?["value"] == "1883")
        #expect(server.errors == 8)
    }

    @Test("a batch is answered with an array of the replies due")
    func batch() throws {
        let fixture = try ConsoleFixture()
        let server = try startServer(fixture)
        defer { server.stop() }
        let client = RPCTestClient(port: server.boundPort)
        let reply = try client.call(
            #"[{"jsonrpc":"2.0","id":1,"method":"get","params":["mqtt.port"]},"#
                + #"{"jsonrpc":"2.0","method":"set","params":["mqtt.qos","1"]},"#
                + #"{"jsonrpc":"2.0","id":2,"method":"nope"}, 7]"#, loop: fixture.loop)
        let replies = try #require(reply?.arrayValue)
        #expect(replies.count == 3)
        #expect(replies[0]["result"]?["value"] == "1883")
        #expect(errorCode(replies[1]) == -32601)
        #expect(errorCode(replies[2]) == -32600)
        #expect(fixture.store.integer(StandardKeys.mqttQoS) == 1)
        #expect(errorCode(try client.call("[]", loop: fixture.loop)) == -32600)
    }

    @Test("an over-long line gets one error and is skipped; the connection stays open")
    func overlongLine() throws {
        let fixture = try ConsoleFixture()
        let server = try startServer(fixture)
        defer { server.stop() }
        let client = RPCTestClient(port: server.boundPort)
        let huge = #"{"jsonrpc":"2.0","id":1,"method":"get","params":[""# + String(repeating: "a", count: 100_000) + #""]}"#
        client.send(huge + "\n", loop: fixture.loop)
        let refused = try client.nextReply(loop: fixture.loop)
        #expect(errorCode(refused) == -32600)
        #expect(refused?["error"]?["message"]?.stringValue?.contains("too long") == true)
        let next = try client.call(#"{"jsonrpc":"2.0","id":2,"method":"get","params":["mqtt.port"]}"#, loop: fixture.loop)
        #expect(next?["id"] == 2, "nothing of the long line was taken for a request")
        #expect(server.overlongLines == 1)
    }

    @Test("garbage bytes are a parse error, not a crash")
    func garbage() throws {
        let fixture = try ConsoleFixture()
        let server = try startServer(fixture)
        defer { server.stop() }
        let client = RPCTestClient(port: server.boundPort)
        client.send([0x00, 0xFF, 0xFE, 0x7B, 0x01, 0x80, 0x0A], loop: fixture.loop)
        #expect(errorCode(try client.nextReply(loop: fixture.loop)) == -32700)
        client.send([0xC3, 0x28, 0x5B, 0x5D, 0x5D, 0x0A], loop: fixture.loop)
        #expect(errorCode(try client.nextReply(loop: fixture.loop)) == -32700)
        let next = try client.call(#"{"jsonrpc":"2.0","id":3,"method":"get","params":["mqtt.port"]}"#, loop: fixture.loop)
        #expect(next?["result"]?["value"] == "1883")
    }

    @Test("a client that hangs up mid-line is forgotten; others are unaffected")
    func disconnectMidLine() throws {
        let fixture = try ConsoleFixture()
        let server = try startServer(fixture)
        defer { server.stop() }
        do {
            let quitter = RPCTestClient(port: server.boundPort)
            quitter.send(#"{"jsonrpc":"2.0","id":1,"meth"#, loop: fixture.loop)
            #expect(fixture.loop.run(timeout: 5) { server.clientCount == 1 })
        }
        #expect(fixture.loop.run(timeout: 5) { server.clientCount == 0 })
        #expect(server.truncatedLines == 1)
        #expect(try stillServes(server, fixture))
    }

    @Test("two clients at once each get their own replies, even with lines interleaved")
    func twoClients() throws {
        let fixture = try ConsoleFixture()
        let server = try startServer(fixture)
        defer { server.stop() }
        let first = RPCTestClient(port: server.boundPort)
        let second = RPCTestClient(port: server.boundPort)
        first.send(#"{"jsonrpc":"2.0","id":"a","method":"get","#, loop: fixture.loop)
        second.send(#"{"jsonrpc":"2.0","id":"b","method":"get","params":["mqtt.host"]}"# + "\n", loop: fixture.loop)
        let secondReply = try second.nextReply(loop: fixture.loop)
        #expect(secondReply?["id"] == "b")
        #expect(secondReply?["result"]?["value"] == "localhost")
        first.send(#""params":["mqtt.port"]}"# + "\n", loop: fixture.loop)
        let firstReply = try first.nextReply(loop: fixture.loop)
        #expect(firstReply?["id"] == "a")
        #expect(firstReply?["result"]?["value"] == "1883")
        #expect(server.clientCount == 2)
    }

    @Test("beyond the client limit a connection gets an error line and is closed")
    func tooManyClients() throws {
        let fixture = try ConsoleFixture()
        let server = try startServer(fixture, maxClients: 2)
        defer { server.stop() }
        let first = RPCTestClient(port: server.boundPort)
        let second = RPCTestClient(port: server.boundPort)
        #expect(fixture.loop.run(timeout: 5) { server.clientCount == 2 })
        let third = RPCTestClient(port: server.boundPort)
        let refusal = try third.nextReply(loop: fixture.loop)
        #expect(errorCode(refusal) == -32000)
        #expect(refusal?["error"]?["message"]?.stringValue?.contains("too many") == true)
        #expect(third.waitForEndOfFile(loop: fixture.loop))
        #expect(server.connectionsRefused == 1)
        for client in [first, second] {
            let reply = try client.call(#"{"jsonrpc":"2.0","id":1,"method":"get","params":["mqtt.port"]}"#, loop: fixture.loop)
            #expect(reply?["id"] == 1)
        }
    }

    @Test("a client that never reads its replies is disconnected; the server keeps serving")
    func slowClientDisconnected() throws {
        let fixture = try ConsoleFixture()
        let server = try startServer(fixture, outputLimit: 64 * 1024)
        defer { server.stop() }
        let hog = RPCTestClient(port: server.boundPort, receiveBuffer: 4096)
        let request = Array((#"{"jsonrpc":"2.0","id":1,"method":"blob","params":["60000"]}"# + "\n").utf8)
        var sent = 0
        // Ask for far more than the kernel buffers and our limit hold, never reading.
        #expect(fixture.loop.run(timeout: 20) {
            if sent < 2_000 {
                let n = request.withUnsafeBytes { Glibc.send(hog.fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                if n == request.count { sent += 1 }
            }
            return server.slowClientsDropped == 1
        })
        #expect(server.clientCount == 0)
        #expect(try stillServes(server, fixture))
    }

    @Test("a port already in use or a bad bind address fails start with a clear error")
    func listenErrors() throws {
        let fixture = try ConsoleFixture()
        let server = try startServer(fixture)
        defer { server.stop() }
        let clash = RPCServer(registry: fixture.registry, loop: fixture.loop, port: server.boundPort)
        #expect { try clash.start() } throws: { error in
            (error as? ConsoleError)?.description.contains("Address already in use") == true
        }
        let bad = RPCServer(registry: fixture.registry, loop: fixture.loop, bind: "localhost:80", port: 0)
        #expect(throws: ConsoleError.invalidAddress("localhost:80")) { try bad.start() }
    }
}
