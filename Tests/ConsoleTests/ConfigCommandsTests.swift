import Console
import Contracts
import Foundation
import JSON
import Runtime
import Store
import Testing

@Suite("Config, log and help commands")
struct ConfigCommandsTests {
    private func run(_ fixture: ConsoleFixture, _ line: String, origin: CommandRequest.Origin = .console) -> CommandReply {
        let words = CommandLineSplitter.split(line)
        return fixture.registry.execute(words[0], CommandRequest(origin: origin, arguments: Array(words.dropFirst())))
    }

    @Test("set validates the value and names what is allowed")
    func setValidates() throws {
        let fixture = try ConsoleFixture()
        let reply = run(fixture, "set mqtt.port 70000")
        #expect(!reply.ok)
        #expect(reply.output.text == #"mqtt.port: "70000" is not allowed: an integer from 1 to 65535"#)
        #expect(fixture.store.integer(StandardKeys.mqttPort) == 1883)
        let typo = run(fixture, "get mqtt.hots")
        #expect(!typo.ok)
        #expect(typo.output.text.contains("did you mean \"mqtt.host\""))
        #expect(!run(fixture, "set mqtt.username two words").ok, "an unquoted value with spaces is a usage error")
        #expect(run(fixture, "set mqtt.username \"two words\"").ok)
        #expect(fixture.store.string(StandardKeys.mqttUsername) == "two words")
    }

    @Test("set says when the environment overrides the setting")
    func environmentOverride() throws {
        let fixture = try ConsoleFixture(environment: ["MQTT_PORT": "2883"])
        let reply = run(fixture, "set mqtt.port 1884")
        #expect(reply.ok)
        #expect(reply.output.text.contains("mqtt.port = 2883  (env)"))
        #expect(reply.output.text.contains("MQTT_PORT overrides this setting"))
        let json = run(fixture, "set mqtt.port 1885", origin: .rpc)
        #expect(json.output.json["environmentOverrides"] == true)
        #expect(json.output.json["value"] == "2883")
    }

    @Test("unset and save reach the data directory; a new store sees the saved value")
    func unsetAndSave() throws {
        let fixture = try ConsoleFixture()
        #expect(run(fixture, "set mqtt.port 1884").ok)
        #expect(run(fixture, "set mqtt.qos 2").ok)
        #expect(run(fixture, "unset mqtt.qos").output.text.hasPrefix("mqtt.qos = 0  (default)"))
        let saved = run(fixture, "save")
        #expect(saved.ok)
        #expect(saved.output.text.contains(fixture.directory.path))
        let reopened = ConfigStore(dataDirectory: fixture.directory.path, environment: { _ in nil })
        #expect(reopened.integer(StandardKeys.mqttPort) == 1884)
        #expect(reopened.integer(StandardKeys.mqttQoS) == 0)
        #expect(!run(fixture, "save now").ok)
    }

    @Test("programs get config as JSON with secrets masked")
    func configAsJSON() throws {
        let fixture = try ConsoleFixture()
        #expect(run(fixture, "set mqtt.password hunter2").ok)
        let reply = run(fixture, "config", origin: .mqtt)
        #expect(reply.ok)
        #expect(reply.output.json["mqtt.password"]?["value"] == "***")
        #expect(reply.output.json["mqtt.password"]?["source"] == "user")
        #expect(!reply.output.text.contains("hunter2"))
        #expect(!run(fixture, "get mqtt.password").output.text.contains("hunter2"))
        #expect(run(fixture, "config keys").output.text.contains("mqtt.port (integer 1..65535, default 1883"))
        #expect(!run(fixture, "config bogus").ok)
    }

    @Test("log shows the level and format; a level is checked before it is applied")
    func logCommand() throws {
        // The level is process-wide and other suites capture logs, so this test only ever
        // sets the level it found.
        let fixture = try ConsoleFixture()
        let current = LogSettings.level.name
        #expect(run(fixture, "log").output.text.hasPrefix("level " + current + ", format "))
        #expect(run(fixture, "log", origin: .rpc).output.json["level"] == .string(current))
        #expect(run(fixture, "log level").output.text == current)
        let same = run(fixture, "log level " + current.lowercased())
        #expect(same.ok)
        #expect(same.output.text.hasPrefix("log level " + current))
        let loud = run(fixture, "log level loud")
        #expect(!loud.ok)
        #expect(loud.output.text.contains("debug, info, warning, error or critical"))
        #expect(LogSettings.level.name == current)
        #expect(!run(fixture, "log colour").ok)
    }

    @Test("help lists every command and explains one; an unknown one is an error")
    func help() throws {
        let fixture = try ConsoleFixture()
        let all = run(fixture, "help").output.text
        for name in ["config", "get", "set", "unset", "save", "log", "help"] {
            #expect(all.contains("\n" + name + " ") || all.hasPrefix(name + " "), "help lists \(name)")
        }
        #expect(run(fixture, "help unset").output.text.hasPrefix("unset KEY\n  "))
        #expect(!run(fixture, "help nothing").ok)
    }
}
