import Console
import Contracts
import Store
import Testing
import TestSupport

/// What the config commands say about checked values, restarts and unknown keys.
@Suite("Config commands: refusals, restarts and hints", .serialized)
struct ConfigCommandsCheckTests {
    private func run(_ fixture: ConsoleFixture, _ line: String, origin: CommandRequest.Origin = .console) -> CommandReply {
        let words = CommandLineSplitter.split(line)
        return fixture.registry.execute(words[0], CommandRequest(origin: origin, arguments: Array(words.dropFirst())))
    }

    @Test("a refused set logs no privileged change; an accepted one does, without the value")
    func refusedSetLogsNoChange() throws {
        let fixture = try ConsoleFixture()
        let refused = LogCapture.lines { run(fixture, "set mqtt.host \"bad host name!\"") }
        #expect(!refused.result.ok)
        #expect(refused.result.output.text.hasPrefix("mqtt.host: "))
        #expect(!refused.lines.contains { $0.contains("privileged change") }, "\(refused.lines)")
        let accepted = LogCapture.lines { run(fixture, "set mqtt.host broker.local") }
        #expect(accepted.result.ok)
        #expect(accepted.lines.contains { $0.contains("privileged change: mqtt.host over console") }, "\(accepted.lines)")
        #expect(!accepted.lines.contains { $0.contains("broker.local") })
    }

    @Test("the hint for an unknown key names a command the console knows, and config show is one")
    func unknownKeyHint() throws {
        let fixture = try ConsoleFixture()
        let reply = run(fixture, "unset nosuch")
        #expect(!reply.ok)
        #expect(reply.output.text.contains("try \"config keys\" for the list"), "\(reply.output.text)")
        #expect(!reply.output.text.contains("config show"))
        let keys = run(fixture, "config keys")
        #expect(keys.ok)
        #expect(keys.output.text.contains("mqtt.port"))
        let show = run(fixture, "config show")
        #expect(show.ok)
        #expect(show.output.text == run(fixture, "config").output.text)
    }

    @Test("set of a key that applies at restart says so, and config marks it pending")
    func restartKeys() throws {
        let fixture = try ConsoleFixture()
        let reply = run(fixture, "set console.baud 9600")
        #expect(reply.ok)
        #expect(reply.output.text.contains("console.baud takes effect at the next restart"), "\(reply.output.text)")
        let show = run(fixture, "config").output.text
        #expect(show.contains("console.baud = 9600  (user)  [restart pending]"))
        #expect(show.contains("(console.baud takes effect at the next restart"))
        let live = run(fixture, "set mqtt.port 1884")
        #expect(!live.output.text.contains("restart"))
        let json = run(fixture, "set console.baud 19200", origin: .rpc)
        #expect(json.output.json["appliesAtRestart"] == true)
        #expect(run(fixture, "config", origin: .rpc).output.json["console.baud"]?["pendingRestart"] == true)
    }

    @Test("save names the keys of a rule the changes break")
    func saveNamesConflictingKeys() throws {
        let fixture = try ConsoleFixture()
        #expect(run(fixture, "set rpc.allow_local true").ok)
        #expect(run(fixture, "set rpc.bind 0.0.0.0").ok)
        let saved = run(fixture, "save")
        #expect(!saved.ok)
        #expect(saved.output.text.hasPrefix("rpc.allow_local, rpc.bind: "), "\(saved.output.text)")
    }
}
