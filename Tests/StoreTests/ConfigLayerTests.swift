import Foundation
import Store
import Testing
import TestSupport

extension StoreSuite {
    @Suite struct ConfigLayerTests {
        @Test func eachLayerOverridesTheOnesBelowIt() throws {
            let directory = TemporaryDirectory()
            let board = StoreFixtures.board(directory, "mqtt.port = 1884\n")
            let environment = FakeEnvironment()
            let store = StoreFixtures.store(directory, board: board, environment: environment)
            let port = StandardKeys.mqttPort

            #expect(store.integer(port) == 1884)
            #expect(store.source(of: port) == .board)
            #expect(store.integer(StandardKeys.rpcPort) == 4567)
            #expect(store.source(of: StandardKeys.rpcPort) == .defaultValue)

            try store.set("mqtt.port", to: "1885")
            #expect(store.integer(port) == 1885)
            #expect(store.source(of: port) == .user)

            environment.values["MQTT_PORT"] = "1886"
            store.reload()
            // reload drops the unsaved user value: the environment and the board remain.
            #expect(store.integer(port) == 1886)
            #expect(store.source(of: port) == .environment)

            let entry = try store.set("mqtt.port", to: "1885")
            #expect(entry.source == .environment, "set must say the environment still wins")
            #expect(entry.description == "mqtt.port = 1886  (env)")
            #expect(store.integer(port) == 1886)
            try store.save()

            environment.values = [:]
            store.reload()
            #expect(store.integer(port) == 1885)
            #expect(store.source(of: port) == .user)

            try store.unset("mqtt.port")
            #expect(store.integer(port) == 1884)
            #expect(store.source(of: port) == .board)
        }

        @Test func boardDefaultsFileAllowsCommentsBlanksAndSpaces() {
            let directory = TemporaryDirectory()
            let board = StoreFixtures.board(directory, """
                # Raspberry Pi 4
                console.device = /dev/ttyAMA0

                \tnode.name=pi4   \r
                mqtt.debug = yes
                mqtt.username = 0.0.0.0 # not a comment: values run to the end of the line
                """)
            let (store, lines) = LogCapture.lines { StoreFixtures.store(directory, board: board) }
            #expect(store.string(StandardKeys.consoleDevice) == "/dev/ttyAMA0")
            #expect(store.string(StandardKeys.nodeName) == "pi4")
            #expect(store.boolean(StandardKeys.mqttDebug))
            #expect(store.string(StandardKeys.mqttUsername) == "0.0.0.0 # not a comment: values run to the end of the line")
            #expect(LogCapture.alarming(lines).isEmpty, "\(lines)")
            #expect(store.problems.isEmpty)
        }

        @Test func boardDefaultsReportBadLinesUnknownKeysAndBadValues() {
            let directory = TemporaryDirectory()
            let board = StoreFixtures.board(directory, """
                console.device = /dev/ttyS0
                this line has no equals sign
                mqtt.outbox.max_messages = fast
                future.feature = 1
                """)
            let (store, lines) = LogCapture.lines { StoreFixtures.store(directory, board: board) }
            #expect(store.string(StandardKeys.consoleDevice) == "/dev/ttyS0")
            #expect(store.integer(StandardKeys.mqttOutboxMaxMessages) == 1000)
            let alarming = LogCapture.alarming(lines)
            #expect(alarming.count == 3, "\(alarming)")
            #expect(alarming.contains { $0.hasSuffix("config: board defaults " + board + ": line 2 is not key = value") })
            #expect(alarming.contains {
                $0.hasSuffix("config: board defaults " + board
                    + ": skipped mqtt.outbox.max_messages: \"fast\" is not allowed: an integer from 1 to 1000000")
            })
            #expect(alarming.contains {
                $0.hasSuffix("config: board defaults " + board + " name keys this firmware does not know (ignored): future.feature")
            })
            #expect(store.problems.count == 3)
        }

        @Test func aMissingBoardFileIsNotAlarming() {
            let directory = TemporaryDirectory()
            let (store, lines) = LogCapture.lines {
                StoreFixtures.store(directory, board: directory.file("no-such-board.defaults"))
            }
            #expect(store.integer(StandardKeys.mqttPort) == 1883)
            #expect(LogCapture.alarming(lines).isEmpty)
            #expect(lines.contains { $0.contains("not found") })
        }

        @Test func environmentValuesAreValidatedAndNormalised() {
            let directory = TemporaryDirectory()
            let environment = FakeEnvironment([
                "MQTT_BROKER": "broker.lan", "MQTT_DEBUG": "yes", "LOG_LEVEL": "DEBUG",
                "MQTT_PROTOCOL": "mqttv5", "MQTT_QOS": "1", "MQTT_USERNAME": "WBA00000000000000",
            ])
            let store = StoreFixtures.store(directory, environment: environment)
            #expect(store.string(StandardKeys.mqttHost) == "broker.lan")
            #expect(store.boolean(StandardKeys.mqttDebug))
            #expect(store.value(StandardKeys.logLevel) == .debug)
            #expect(store.value(StandardKeys.mqttProtocol) == .v5)
            #expect(store.integer(StandardKeys.mqttQoS) == 1)
            #expect(store.string(StandardKeys.mqttUsername) == "WBA00000000000000")
            #expect(store.source(of: StandardKeys.mqttUsername) == .environment)
        }

        @Test func aBadEnvironmentValueIsIgnoredWithOneLine() {
            let directory = TemporaryDirectory()
            let environment = FakeEnvironment(["MQTT_PORT": "abc"])
            let (store, lines) = LogCapture.lines { StoreFixtures.store(directory, environment: environment) }
            #expect(store.integer(StandardKeys.mqttPort) == 1883)
            #expect(store.source(of: StandardKeys.mqttPort) == .defaultValue)
            let alarming = LogCapture.alarming(lines)
            #expect(alarming.count == 1)
            #expect(alarming.first?.hasSuffix(
                "config: environment MQTT_PORT ignored: mqtt.port: \"abc\" is not allowed: an integer from 1 to 65535") == true)
        }

        @Test func anEmptyEnvironmentVariableCountsAsUnset() throws {
            let directory = TemporaryDirectory()
            let environment = FakeEnvironment(["MQTT_PORT": "", "MQTT_BROKER": ""])
            let store = StoreFixtures.store(directory, environment: environment)
            try store.set("mqtt.host", to: "saved.lan")
            #expect(store.string(StandardKeys.mqttHost) == "saved.lan")
            #expect(store.integer(StandardKeys.mqttPort) == 1883)
            #expect(store.problems.isEmpty)
        }

        @Test func theDefaultLookupReadsTheProcessEnvironment() {
            setenv("SWITCHYARD_STORE_TEST_VARIABLE", "from-getenv", 1)
            defer { unsetenv("SWITCHYARD_STORE_TEST_VARIABLE") }
            #expect(ConfigStore.processEnvironment("SWITCHYARD_STORE_TEST_VARIABLE") == "from-getenv")
            #expect(ConfigStore.processEnvironment("SWITCHYARD_STORE_TEST_UNSET_VARIABLE") == nil)
        }
    }
}
