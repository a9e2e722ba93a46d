import Foundation
import Store
import Testing
import TestSupport

extension StoreSuite {
    /// Rules over several keys (`ConfigCheck`) and keys that apply at restart: a save that
    /// would break a rule is refused naming its keys, a load reports it, and a change that
    /// waits for a restart is marked pending until the process starts again.
    @Suite struct ConfigCheckTests {
        @Test func aSaveThatBreaksARuleIsRefusedNamingTheKeysAndNothingIsWritten() throws {
            let directory = TemporaryDirectory()
            let store = StoreFixtures.store(directory)
            let pem = directory.file("client.pem")
            try "pem".write(toFile: pem, atomically: true, encoding: .utf8)
            try store.set("mqtt.tls.cert_file", to: pem)
            do throws(StoreError) {
                try store.save()
                Issue.record("saved a certificate without its key")
            } catch {
                guard case .conflict(let keys, _) = error else {
                    Issue.record("\(error)")
                    return
                }
                #expect(keys == ["mqtt.tls.cert_file", "mqtt.tls.key_file"])
                #expect(error.description.hasPrefix("mqtt.tls.cert_file, mqtt.tls.key_file: "))
            }
            #expect(!StoreFixtures.exists(directory.file("config")), "nothing saved")
            try store.set("mqtt.tls.key_file", to: pem)
            try store.save()
            #expect(StoreFixtures.exists(directory.file("config")))
        }

        @Test func tlsWithoutAnyCertificateAuthorityIsRefusedAtSaveWhenTheSystemHasNone() throws {
            // The rule only bites where the system directory is missing; here it exists or not,
            // and the check must agree with the file system either way.
            let directory = TemporaryDirectory()
            let store = StoreFixtures.store(directory)
            try store.set("mqtt.port", to: "8883")
            let systemHasCAs = FileManager.default.fileExists(atPath: StandardKeys.systemCADirectory)
            var refused: StoreError?
            do throws(StoreError) { try store.save() } catch { refused = error }
            if systemHasCAs {
                #expect(refused == nil)
            } else {
                #expect(refused?.description.hasPrefix("mqtt.port, mqtt.tls.ca_file, mqtt.tls.ca_dir: ") == true)
            }
        }

        @Test func aRuleBrokenBeforeThisSaveDoesNotBlockAnUnrelatedSaveAndALoadReportsIt() throws {
            let directory = TemporaryDirectory()
            StoreFixtures.write(directory.file("config"), StoreFixtures.signedConfig(["rpc.allow_local=true", "rpc.bind=0.0.0.0"]))
            let store = StoreFixtures.store(directory)
            #expect(store.problems.contains { $0.hasPrefix("rpc.allow_local, rpc.bind: ") }, "\(store.problems)")
            try store.set("mqtt.qos", to: "1")
            try store.save()
            try store.set("rpc.bind", to: "192.168.1.2")
            #expect(throws: StoreError.self) { try store.save() }
        }

        @Test func aSavedFileThatHasGoneMissingIsReportedAtLoadAndKept() throws {
            let directory = TemporaryDirectory()
            let pem = directory.file("ca.pem")
            try "pem".write(toFile: pem, atomically: true, encoding: .utf8)
            let store = StoreFixtures.store(directory)
            try store.set("mqtt.tls.ca_file", to: pem)
            try store.save()
            try FileManager.default.removeItem(atPath: pem)
            store.reload()
            #expect(store.problems.contains { $0.hasPrefix("mqtt.tls.ca_file: \"" + pem + "\" cannot be used: no such file") },
                    "\(store.problems)")
            #expect(store.string(StandardKeys.mqttTLSCAFile) == pem, "kept: the service names the key when it starts")
            #expect(throws: StoreError.self) { try store.set("mqtt.tls.ca_file", to: pem) }
        }

        @Test func aKeyThatAppliesAtRestartIsPendingUntilANewStoreOpens() throws {
            let directory = TemporaryDirectory()
            let store = StoreFixtures.store(directory)
            #expect(StandardKeys.consoleBaud.any.appliesAtRestart)
            #expect(StandardKeys.consoleBaud.any.helpLine.contains(AnyConfigKey.restartMarker))
            #expect(!StandardKeys.nodeName.any.appliesAtRestart, "node.name applies live")
            let entry = try store.set("console.baud", to: "9600")
            #expect(entry.pendingRestart)
            #expect(store.show().contains("console.baud = 9600  (user)  " + ConfigEntry.pendingMarker))
            #expect(store.pendingRestartNames == ["console.baud"])
            try store.set("mqtt.port", to: "1884")
            #expect(try !store.entry("mqtt.port").pendingRestart, "applied live")
            try store.save()
            let restarted = StoreFixtures.store(directory)
            #expect(restarted.pendingRestartNames.isEmpty)
            #expect(try restarted.entry("console.baud").description == "console.baud = 9600  (user)")
            try store.set("console.baud", to: "115200")
            #expect(store.pendingRestartNames.isEmpty, "back to the value it started with")
        }
    }
}
