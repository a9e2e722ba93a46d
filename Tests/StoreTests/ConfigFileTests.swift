import Foundation
import Store
import Testing
import TestSupport

extension StoreSuite {
    @Suite struct ConfigFileTests {
        @Test func savedSettingsLoadBackAsUserSettings() throws {
            let directory = TemporaryDirectory()
            let store = StoreFixtures.store(directory)
            try store.set("mqtt.host", to: "broker.lan")
            try store.set("mqtt.port", to: "8883")
            try store.set("mqtt.debug", to: "on")
            try store.set("log.level", to: "ERROR")
            try store.save()
            #expect(store.hasUnsavedChanges == false)

            let loaded = StoreFixtures.store(directory)
            #expect(loaded.loadOutcome == .current)
            #expect(loaded.string(StandardKeys.mqttHost) == "broker.lan")
            #expect(loaded.integer(StandardKeys.mqttPort) == 8883)
            #expect(loaded.boolean(StandardKeys.mqttDebug))
            #expect(loaded.value(StandardKeys.logLevel) == .error)
            #expect(loaded.source(of: StandardKeys.mqttHost) == .user)
            #expect(loaded.source(of: StandardKeys.rpcPort) == .defaultValue)
            #expect(loaded.show() == store.show())
        }

        @Test func theFileIsReadableOnlyByItsOwner() throws {
            let directory = TemporaryDirectory()
            let store = StoreFixtures.store(directory)
            try store.set("mqtt.password", to: "pw")
            try store.save()
            try store.save()
            for name in ["config", "config.prev"] {
                let attributes = try FileManager.default.attributesOfItem(atPath: directory.file(name))
                #expect((attributes[.posixPermissions] as? Int) == 0o600, "\(name)")
            }
            #expect(!StoreFixtures.exists(directory.file("config.tmp")))
        }

        @Test func aStaleTempFileWithLooseModeIsReplaced() throws {
            let directory = TemporaryDirectory()
            let stale = directory.file("config.tmp")
            _ = FileManager.default.createFile(atPath: stale, contents: Data("junk".utf8),
                                           attributes: [.posixPermissions: 0o666])
            let store = StoreFixtures.store(directory)
            try store.set("mqtt.password", to: "pw")
            try store.save()
            let attributes = try FileManager.default.attributesOfItem(atPath: directory.file("config"))
            #expect((attributes[.posixPermissions] as? Int) == 0o600)
        }

        @Test(arguments: [
            "line one\nline two", "a=b=c", "=leading equals", "back\\slash", "trailing backslash\\",
            "\\n is not a newline", "carriage\r\nreturn", "\\\\\n\\", "  spaces kept  ", "grüße ✓ 🚗",
            "# not a comment", "",
        ])
        func valuesWithSpecialCharactersRoundTrip(_ value: String) throws {
            let directory = TemporaryDirectory()
            let store = StoreFixtures.store(directory)
            try store.set("mqtt.client_id", to: value)
            try store.set("mqtt.password", to: value)
            try store.save()
            let loaded = StoreFixtures.store(directory)
            #expect(loaded.loadOutcome == .current)
            #expect(loaded.string(StandardKeys.mqttClientID) == value)
            #expect(loaded.secretValue(StandardKeys.mqttPassword) == value)
            #expect(loaded.source(of: StandardKeys.mqttClientID) == .user)
        }

        @Test func theFileIsTheDocumentedLineFormat() throws {
            let directory = TemporaryDirectory()
            let store = StoreFixtures.store(directory)
            try store.set("mqtt.username", to: "a=b")
            try store.set("mqtt.client_id", to: "x\ny\\z")
            try store.save()
            let text = String(decoding: StoreFixtures.read(directory.file("config")), as: UTF8.self)
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            #expect(lines.count == 5)
            #expect(lines[0] == "# switchyard config v1")
            #expect(lines[1] == "mqtt.client_id=x\\ny\\\\z")
            #expect(lines[2] == "mqtt.username=a=b")
            #expect(lines[3].hasPrefix("# sha256 ") && lines[3].count == 9 + 64)
            #expect(lines[4] == "")
            // The digest is over every byte before the checksum line.
            let body = lines[0...2].joined(separator: "\n") + "\n"
            #expect(StoreFixtures.signedConfig(Array(lines[1...2])) == StoreFixtures.read(directory.file("config")))
            #expect(body.utf8.count + lines[3].utf8.count + 1 == text.utf8.count)
        }

        @Test func eachSaveKeepsThePreviousFileAsTheLastGoodCopy() throws {
            let directory = TemporaryDirectory()
            let store = StoreFixtures.store(directory)
            try store.set("mqtt.outbox.max_messages", to: "7")
            try store.save()
            #expect(!StoreFixtures.exists(directory.file("config.prev")))
            let first = StoreFixtures.read(directory.file("config"))
            try store.set("mqtt.outbox.max_messages", to: "8")
            try store.save()
            #expect(StoreFixtures.read(directory.file("config.prev")) == first)
            #expect(StoreFixtures.read(directory.file("config")) != first)
        }

        @Test func saveCreatesAMissingDataDirectory() throws {
            let parent = TemporaryDirectory()
            let store = ConfigStore(dataDirectory: parent.file("data"), environment: { _ in nil })
            try store.set("rpc.port", to: "4000")
            try store.save()
            #expect(ConfigStore(dataDirectory: parent.file("data"), environment: { _ in nil })
                .integer(StandardKeys.rpcPort) == 4000)
        }

        @Test func saveReportsAnUnwritableDirectory() throws {
            let parent = TemporaryDirectory()
            _ = FileManager.default.createFile(atPath: parent.file("file"), contents: Data())
            let (store, lines) = LogCapture.lines {
                ConfigStore(dataDirectory: parent.file("file"), environment: { _ in nil })
            }
            #expect(store.loadOutcome == .defaultsAfterFailure)
            #expect(LogCapture.alarming(lines).first?.contains("Not a directory") == true)
            do {
                try store.save()
                Issue.record("saving into a regular file succeeded")
            } catch {
                guard case .io(let path, _) = error else {
                    Issue.record("unexpected error \(error.description)")
                    return
                }
                #expect(path.hasPrefix(parent.file("file")))
                #expect(error.description.contains("failed"))
            }
        }

        @Test func keysFromANewerFirmwareAreKeptAndReportedOnce() throws {
            let directory = TemporaryDirectory()
            StoreFixtures.write(directory.file("config"), StoreFixtures.signedConfig([
                "future.feature=on", "future.token=do-not-print", "mqtt.port=1999",
            ]))
            let (store, lines) = LogCapture.lines { StoreFixtures.store(directory) }
            #expect(store.loadOutcome == .current)
            #expect(store.integer(StandardKeys.mqttPort) == 1999)
            #expect(store.unknownSavedKeys == ["future.feature", "future.token"])
            let alarming = LogCapture.alarming(lines)
            #expect(alarming.count == 1)
            #expect(alarming.first?.hasSuffix(
                "config: " + directory.file("config")
                + " has settings this firmware does not know (kept as they are): future.feature, future.token") == true)
            #expect(!lines.joined().contains("do-not-print"))
            #expect(!store.show().joined().contains("future"))

            try store.set("mqtt.port", to: "2000")
            try store.save()
            let text = String(decoding: StoreFixtures.read(directory.file("config")), as: UTF8.self)
            #expect(text.contains("\nfuture.token=do-not-print\n"))
            #expect(text.contains("\nmqtt.port=2000\n"))

            try store.unset("future.token")
            try store.save()
            #expect(StoreFixtures.store(directory).unknownSavedKeys == ["future.feature"])
        }

        @Test func invalidSavedValuesAreSkippedNamingKeyAndValue() {
            let directory = TemporaryDirectory()
            StoreFixtures.write(directory.file("config"), StoreFixtures.signedConfig([
                "mqtt.port=70000", "mqtt.host=fine.lan", "node.name=has space",
            ]))
            let (store, lines) = LogCapture.lines { StoreFixtures.store(directory) }
            #expect(store.loadOutcome == .current)
            #expect(store.integer(StandardKeys.mqttPort) == 1883)
            #expect(store.string(StandardKeys.mqttHost) == "fine.lan")
            #expect(store.string(StandardKeys.nodeName) == "switchyard")
            let path = directory.file("config")
            let alarming = LogCapture.alarming(lines)
            #expect(alarming.count == 2)
            #expect(alarming.contains {
                $0.hasSuffix("config: " + path + ": skipped mqtt.port: \"70000\" is not allowed: an integer from 1 to 65535")
            })
            #expect(alarming.contains { $0.contains("skipped node.name: \"has space\" is not allowed") })
            #expect(store.problems.count == 2)
        }

        @Test func aFirstBootWithoutAFileLogsNothingAlarming() {
            let directory = TemporaryDirectory()
            let (store, lines) = LogCapture.lines { StoreFixtures.store(directory) }
            #expect(store.loadOutcome == .noFile)
            #expect(LogCapture.alarming(lines).isEmpty, "\(lines)")
            #expect(store.problems.isEmpty)
        }

        @Test func reloadDropsUnsavedChanges() throws {
            let directory = TemporaryDirectory()
            let store = StoreFixtures.store(directory)
            try store.set("node.name", to: "vcan0")
            try store.save()
            try store.set("node.name", to: "can7")
            store.reload()
            #expect(store.string(StandardKeys.nodeName) == "vcan0")
            #expect(!store.hasUnsavedChanges)
        }
    }
}
