import Store
import Testing
import TestSupport

extension StoreSuite {
    @Suite struct ConfigValueTests {
        @Test func freshStoreAnswersEveryKeyWithItsDefault() {
            let directory = TemporaryDirectory()
            let store = StoreFixtures.store(directory)
            #expect(store.loadOutcome == .noFile)
            for key in StandardKeys.all {
                #expect(store.source(of: key) == .defaultValue, "\(key.name)")
            }
            #expect(store.string(StandardKeys.nodeName) == "switchyard")
            #expect(store.string(StandardKeys.mqttHost) == "localhost")
            #expect(store.integer(StandardKeys.mqttPort) == 1883)
            #expect(store.value(StandardKeys.logLevel) == .info)
            #expect(store.value(StandardKeys.mqttProtocol) == .v311)
            #expect(store.integer(StandardKeys.mqttQoS) == 0)
            #expect(store.integer(StandardKeys.rpcPort) == 4567)
            #expect(store.string(StandardKeys.rpcBind) == "127.0.0.1")
            #expect(store.string(StandardKeys.consoleDevice) == "-")
            #expect(store.integer(StandardKeys.consoleBaud) == 115200)
            #expect(store.integer(StandardKeys.mqttOutboxMaxBytes) == 1 << 20)
            #expect(store.integer(StandardKeys.mqttOutboxMaxMessages) == 1000)
            #expect(store.boolean(StandardKeys.mqttDebug) == false)
            #expect(store.boolean(StandardKeys.mqttTLSInsecure) == false)
            #expect(store.secretValue(StandardKeys.mqttPassword) == "")
            #expect(store.hasUnsavedChanges == false)
        }

        @Test func standardKeysCarryTheSeedsEnvironmentNames() {
            var byVariable: [String: String] = [:]
            for key in StandardKeys.all {
                if let variable = key.environmentName {
                    #expect(byVariable[variable] == nil, "\(variable) used twice")
                    byVariable[variable] = key.name
                }
            }
            #expect(byVariable == [
                "MQTT_BROKER": "mqtt.host", "MQTT_PORT": "mqtt.port", "MQTT_USERNAME": "mqtt.username",
                "MQTT_PASSWORD": "mqtt.password", "MQTT_PROTOCOL": "mqtt.protocol", "MQTT_QOS": "mqtt.qos",
                "MQTT_TRANSPORT": "mqtt.transport", "MQTT_PATH": "mqtt.ws_path", "LOG_LEVEL": "log.level",
                "MQTT_DEBUG": "mqtt.debug",
            ])
            // Feature keys carry their seeds' names in their own modules (MQTT_POLL_RATE is
            // benchlab.poll_s, checked in the Benchlab tests).
        }

        @Test func everyStandardKeyHasOneSentenceOfHelp() {
            for key in StandardKeys.all {
                #expect(key.help.count > 15 && key.help.hasSuffix("."), "\(key.name): \(key.help)")
                #expect(!key.help.contains("\n"))
            }
            #expect(StandardKeys.all.filter(\.isSecret).map(\.name) == ["mqtt.password"])
            #expect(StandardKeys.mqttTLSKeyFile.isSecret == false)
        }

        @Test func rejectsAnOutOfRangeIntegerNamingKeyValueAndRange() {
            let store = StoreFixtures.store(TemporaryDirectory())
            #expect(throws: StoreError.invalidValue(key: "mqtt.port", value: "70000",
                                                    allowed: "an integer from 1 to 65535")) {
                try store.set("mqtt.port", to: "70000")
            }
            do {
                try store.set("mqtt.port", to: "70000")
            } catch {
                #expect(error.description == "mqtt.port: \"70000\" is not allowed: an integer from 1 to 65535")
            }
            #expect(store.integer(StandardKeys.mqttPort) == 1883)
            #expect(store.hasUnsavedChanges == false)
        }

        @Test(arguments: ["", "abc", "0", "-1", "65536", " 80", "80 ", "+80", "8o", "1e3",
                          "99999999999999999999999", "-99999999999999999999999"])
        func rejectsNonIntegers(_ text: String) {
            let store = StoreFixtures.store(TemporaryDirectory())
            #expect(throws: StoreError.self) { try store.set("mqtt.port", to: text) }
        }

        @Test func acceptsIntegersAtTheEdgesAndCanonicalisesThem() throws {
            let store = StoreFixtures.store(TemporaryDirectory())
            try store.set("mqtt.port", to: "1")
            #expect(store.integer(StandardKeys.mqttPort) == 1)
            try store.set("mqtt.port", to: "65535")
            #expect(store.integer(StandardKeys.mqttPort) == 65535)
            try store.set("mqtt.port", to: "08883")
            #expect(try store.entry("mqtt.port").displayValue == "8883")
            try store.set("mqtt.qos", to: "2")
            #expect(store.integer(StandardKeys.mqttQoS) == 2)
            #expect(throws: StoreError.self) { try store.set("mqtt.qos", to: "3") }
        }

        @Test(arguments: [("true", true), ("TRUE", true), ("on", true), ("On", true), ("yes", true),
                          ("YES", true), ("1", true), ("false", false), ("False", false), ("off", false),
                          ("OFF", false), ("no", false), ("No", false), ("0", false)])
        func normalisesBooleans(_ text: String, _ expected: Bool) throws {
            let store = StoreFixtures.store(TemporaryDirectory())
            try store.set("mqtt.debug", to: text)
            #expect(store.boolean(StandardKeys.mqttDebug) == expected)
            #expect(try store.entry("mqtt.debug").displayValue == (expected ? "true" : "false"))
        }

        @Test(arguments: ["", "2", "y", "enabled", "truee", "t"])
        func rejectsWhatIsNotABoolean(_ text: String) {
            let store = StoreFixtures.store(TemporaryDirectory())
            #expect(throws: StoreError.invalidValue(key: "mqtt.debug", value: text,
                                                    allowed: "true or false (also on/off, yes/no, 1/0)")) {
                try store.set("mqtt.debug", to: text)
            }
        }

        @Test func matchesChoicesIgnoringCaseAndKeepsTheListedSpelling() throws {
            let store = StoreFixtures.store(TemporaryDirectory())
            try store.set("mqtt.protocol", to: "mqttv5")
            #expect(store.value(StandardKeys.mqttProtocol) == .v5)
            #expect(try store.entry("mqtt.protocol").displayValue == "MQTTv5")
            try store.set("log.level", to: "WARNING")
            #expect(store.value(StandardKeys.logLevel) == .warning)
            do {
                try store.set("log.level", to: "verbose")
                Issue.record("verbose was accepted")
            } catch {
                #expect(error.description
                    == "log.level: \"verbose\" is not allowed: one of debug, info, warning, error, critical")
            }
        }

        @Test(arguments: ["", "a/b", "node 1", "x+", "#", "ü", String(repeating: "n", count: 65)])
        func rejectsNodeNamesThatWouldBreakTopics(_ text: String) {
            let store = StoreFixtures.store(TemporaryDirectory())
            #expect(throws: StoreError.self) { try store.set("node.name", to: text) }
        }

        @Test func acceptsTextWithAnythingButNul() throws {
            let store = StoreFixtures.store(TemporaryDirectory())
            try store.set("mqtt.host", to: "broker.example.org")
            #expect(store.string(StandardKeys.mqttHost) == "broker.example.org")
            try store.set("mqtt.username", to: "")
            #expect(store.string(StandardKeys.mqttUsername) == "")
            #expect(store.source(of: StandardKeys.mqttUsername) == .user)
            #expect(throws: StoreError.self) { try store.set("mqtt.host", to: "bro\u{0}ker") }
        }

        @Test func errorMessagesShowControlCharactersEscapedAndLongValuesCut() {
            let store = StoreFixtures.store(TemporaryDirectory())
            do {
                try store.set("mqtt.port", to: "80\nforged line")
            } catch {
                #expect(error.description == "mqtt.port: \"80\\nforged line\" is not allowed: an integer from 1 to 65535")
            }
            do {
                try store.set("mqtt.port", to: String(repeating: "9", count: 500))
            } catch {
                #expect(error.description.count < 160)
                #expect(error.description.contains("...\""))
            }
        }

        @Test func unknownKeySuggestsTheClosestName() {
            let store = StoreFixtures.store(TemporaryDirectory())
            #expect(throws: StoreError.unknownKey("mqtt.hots", suggestion: "mqtt.host")) {
                try store.set("mqtt.hots", to: "x")
            }
            do {
                _ = try store.entry("mqtt.hots")
            } catch {
                #expect(error.description
                    == "unknown key \"mqtt.hots\" (did you mean \"mqtt.host\"? try \"config keys\" for the list)")
            }
            do {
                _ = try store.entry("frobnicate")
            } catch {
                #expect(error.description == "unknown key \"frobnicate\" (try \"config keys\" for the list)")
            }
            #expect(throws: StoreError.unknownKey("nothing.here", suggestion: nil)) { try store.unset("nothing.here") }
        }

        @Test func unsetFallsBackToTheDefault() throws {
            let store = StoreFixtures.store(TemporaryDirectory())
            try store.set("mqtt.outbox.max_messages", to: "10")
            #expect(store.integer(StandardKeys.mqttOutboxMaxMessages) == 10)
            #expect(store.hasUnsavedChanges)
            try store.unset("mqtt.outbox.max_messages")
            #expect(store.integer(StandardKeys.mqttOutboxMaxMessages) == 1000)
            #expect(store.source(of: StandardKeys.mqttOutboxMaxMessages) == .defaultValue)
            try store.unset("mqtt.outbox.max_messages")
        }

        @Test func showListsEveryKeySortedWithItsSource() throws {
            let store = StoreFixtures.store(TemporaryDirectory())
            try store.set("rpc.port", to: "5000")
            let lines = store.show()
            #expect(lines.count == StandardKeys.all.count)
            let names = lines.map { String($0.prefix { $0 != " " }) }
            #expect(names == names.sorted())
            #expect(lines.contains("rpc.port = 5000  (user)"))
            #expect(lines.contains("mqtt.port = 1883  (default)"))
            #expect(lines.contains("mqtt.username = \"\"  (default)"))
        }

        @Test func showEscapesValuesSoEachKeyIsOneLine() throws {
            let store = StoreFixtures.store(TemporaryDirectory())
            try store.set("mqtt.client_id", to: "a\nb")
            #expect(store.show().contains("mqtt.client_id = a\\nb  (user)"))
            #expect(store.string(StandardKeys.mqttClientID) == "a\nb")
        }
    }
}
