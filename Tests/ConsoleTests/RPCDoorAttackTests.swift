import Foundation
import JSON
import Runtime
import Store
import TestSupport
import Testing
@testable import Console

/// The RPC door under the attacks of issue 20: junk lines to hold a slot without ever
/// authenticating, a browser sent to the door by a web page, token guesses packed into one
/// batch, and local accounts other than the trusted ones.
@Suite("JSON-RPC door under attack")
struct RPCDoorAttackTests {
    static let token = String(repeating: "cd", count: 32)

    private func errorCode(_ reply: JSONValue?) -> Int? { reply?["error"]?["code"]?.intValue }

    private func server(
        _ fixture: ConsoleFixture, token: String? = RPCDoorAttackTests.token, trustedUsers: [UInt32] = [],
        authTimeout: Interval = .seconds(10)
    ) throws -> RPCServer {
        let server = RPCServer(registry: fixture.registry, loop: fixture.loop, bind: "127.0.0.1", port: 0,
                               token: token, trustedUsers: trustedUsers, authTimeout: authTimeout)
        try server.start()
        return server
    }

    @Test("junk lines before auth do not buy time: the client is closed at the auth deadline from connecting")
    func authDeadlineIgnoresJunk() throws {
        let fixture = try ConsoleFixture()
        let server = try server(fixture, authTimeout: .milliseconds(1000))
        defer { server.stop() }
        let junk = RPCTestClient(port: server.boundPort)
        let connected = Date()
        var lastJunk = Date.distantPast
        var closedAfter: TimeInterval?
        fixture.loop.run(timeout: 5) {
            // A junk line every 100 ms, each answered with an error and each, before the
            // fix, resetting the idle timer.
            if Date().timeIntervalSince(lastJunk) >= 0.1 {
                lastJunk = Date()
                // Straight to the socket: once the server has closed it, sends fail for good.
                _ = Array("hello?\n".utf8).withUnsafeBytes {
                    Glibc.send(junk.fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
                }
            }
            junk.collect()
            if junk.sawEndOfFile { closedAfter = Date().timeIntervalSince(connected) }
            return closedAfter != nil
        }
        let after = try #require(closedAfter, "the junk sender was closed")
        #expect(after >= 0.9 && after <= 2.5, "held its slot \(after) s")
        #expect(server.authenticationTimeouts == 1)

        // One that authenticates in time stays past the deadline.
        let good = RPCTestClient(port: server.boundPort)
        let auth = try good.call(#"{"jsonrpc":"2.0","id":1,"method":"auth","params":["\#(Self.token)"]}"#,
                                 loop: fixture.loop)
        #expect(auth?["result"] == "authenticated")
        fixture.loop.run(timeout: 2) { false }
        let reply = try good.call(#"{"jsonrpc":"2.0","id":2,"method":"get","params":["mqtt.qos"]}"#, loop: fixture.loop)
        #expect(reply?["result"]?["value"] == "0")
        #expect(server.authenticationTimeouts == 1)
    }

    @Test("a connection that starts with an HTTP request line is closed unanswered; the JSON in its body never runs")
    func browserIsRefused() throws {
        let fixture = try ConsoleFixture()
        // The open door (a token-less loopback door, as rpc.allow_local was) is the one a
        // web page could drive.
        let server = try server(fixture, token: nil)
        defer { server.stop() }
        let body = #"{"jsonrpc":"2.0","id":1,"method":"set","params":["mqtt.port","1999"]}"# + "\n"
        let post = "POST / HTTP/1.1\r\nHost: 127.0.0.1:\(server.boundPort)\r\nContent-Type: text/plain\r\n"
            + "Content-Length: \(body.utf8.count)\r\n\r\n" + body
        let browser = RPCTestClient(port: server.boundPort)
        browser.send(post, loop: fixture.loop)
        #expect(browser.waitForEndOfFile(loop: fixture.loop), "the connection is closed")
        #expect(browser.nextLine(loop: fixture.loop, timeout: 0.1) == nil, "nothing was answered")

        // A target longer than a line: the version is never seen, the start gives it away.
        let long = "GET /" + String(repeating: "a", count: 70_000) + " HTTP/1.1\r\n\r\n" + body
        let longBrowser = RPCTestClient(port: server.boundPort)
        longBrowser.send(long, loop: fixture.loop)
        #expect(longBrowser.waitForEndOfFile(loop: fixture.loop))
        #expect(fixture.store.integer(StandardKeys.mqttPort) == 1883, "the request in the body did not run")
        #expect(server.httpRequestsRefused == 2)

        // JSON-RPC clients are not affected, garbage first included.
        let client = RPCTestClient(port: server.boundPort)
        #expect(errorCode(try client.call("not json at all", loop: fixture.loop)) == -32700)
        let reply = try client.call(#"{"jsonrpc":"2.0","id":2,"method":"get","params":["mqtt.port"]}"#, loop: fixture.loop)
        #expect(reply?["result"]?["value"] == "1883")
    }

    @Test("what counts as an HTTP request line")
    func httpRequestLines() {
        for line in ["GET / HTTP/1.1", "POST /rpc HTTP/1.0\r", "PRI * HTTP/2.0", "OPTIONS * HTTP/1.1",
                     "foo http://127.0.0.1:4567/ HTTP/1.1"] {
            #expect(HTTPRequestLine.matches(Array(line.utf8)), "\(line)")
        }
        for line in [#"{"jsonrpc":"2.0","id":1,"method":"get"}"#, "[1,2]", "GET /", "GET / HTTP/1.1 extra",
                     "GET  / HTTP/1.1", "hello?", "", " GET / HTTP/1.1"] {
            #expect(!HTTPRequestLine.matches(Array(line.utf8)), "\(line)")
        }
        #expect(HTTPRequestLine.startsLikeOne(Array("GET /aaaa".utf8)))
        #expect(!HTTPRequestLine.startsLikeOne(Array(#"{"jsonrpc" "#.utf8)))
        #expect(!HTTPRequestLine.startsLikeOne(Array("GET".utf8)))
    }

    @Test("three wrong tokens inside one batch close the connection; nothing after them runs")
    func guessesInABatchAreCut() throws {
        let fixture = try ConsoleFixture()
        let server = try server(fixture)
        defer { server.stop() }
        let client = RPCTestClient(port: server.boundPort)
        var members = (0..<5).map { #"{"jsonrpc":"2.0","id":\#($0),"method":"auth","params":["guess\#($0)"]}"# }
        members.append(#"{"jsonrpc":"2.0","id":10,"method":"auth","params":["\#(Self.token)"]}"#)
        members.append(#"{"jsonrpc":"2.0","id":11,"method":"set","params":["mqtt.port","1999"]}"#)
        let reply = try client.call("[" + members.joined(separator: ",") + "]", loop: fixture.loop)
        let replies = try #require(reply?.arrayValue, "\(String(describing: reply))")
        #expect(replies.count == 4, "three refusals and the reason the rest did not run: \(replies)")
        #expect(replies.prefix(3).allSatisfy { errorCode($0) == -32002 })
        #expect(replies.last?["error"]?["message"]?.stringValue?.contains("4 requests of this batch did not run") == true)
        #expect(client.waitForEndOfFile(loop: fixture.loop))
        #expect(fixture.store.integer(StandardKeys.mqttPort) == 1883, "the right token and the set after it did not run")
        #expect(server.authenticationDrops == 1)
    }

    @Test("trusted local users need no token; any other user does")
    func trustedLocalUsers() throws {
        let fixture = try ConsoleFixture()
        let me = UInt32(getuid())
        let trusting = try server(fixture, trustedUsers: [me])
        defer { trusting.stop() }
        let mine = RPCTestClient(port: trusting.boundPort)
        let reply = try mine.call(#"{"jsonrpc":"2.0","id":1,"method":"get","params":["mqtt.qos"]}"#, loop: fixture.loop)
        #expect(reply?["result"]?["value"] == "0", "this process's user is trusted")
        #expect(trusting.trustedClients == 1)

        let other = try server(fixture, trustedUsers: [me &+ 4242])
        defer { other.stop() }
        let stranger = RPCTestClient(port: other.boundPort)
        let refused = try stranger.call(#"{"jsonrpc":"2.0","id":1,"method":"get","params":["mqtt.qos"]}"#,
                                        loop: fixture.loop)
        #expect(errorCode(refused) == -32001, "a user not on the list needs the token")
        let auth = try stranger.call(#"{"jsonrpc":"2.0","id":2,"method":"auth","params":["\#(Self.token)"]}"#,
                                     loop: fixture.loop)
        #expect(auth?["result"] == "authenticated", "and gets in with it")
        #expect(other.trustedClients == 0)
    }

    @Test("another local account (nobody) is not let in by trusting root", .enabled(if: getuid() == 0, "needs root to run a client as nobody"))
    func otherLocalAccountNeedsToken() throws {
        let fixture = try ConsoleFixture()
        let server = try server(fixture, trustedUsers: [0])
        defer { server.stop() }
        let output = fixture.directory.file("nobody.out")
        let script = """
            import socket, sys
            s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
            s.sendall(b'{"jsonrpc":"2.0","id":1,"method":"get","params":["mqtt.qos"]}\\n')
            data = b""
            while not data.endswith(b"\\n"):
                chunk = s.recv(4096)
                if not chunk: break
                data += chunk
            print(data.decode().strip())
            """
        let client = try Subprocess("/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups",
                                                         "/usr/bin/python3", "-c", script, String(server.boundPort)],
                                    stdout: .file(output))
        #expect(fixture.loop.run(timeout: 10) { !client.isRunning })
        let line = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        let reply = try JSONValue.parse(line.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(errorCode(reply) == -32001, "uid 65534 needs the token: \(line)")
        #expect(server.trustedClients == 0)

        let root = RPCTestClient(port: server.boundPort)
        let admitted = try root.call(#"{"jsonrpc":"2.0","id":1,"method":"get","params":["mqtt.qos"]}"#, loop: fixture.loop)
        #expect(admitted?["result"]?["value"] == "0", "root is trusted")
    }
}
