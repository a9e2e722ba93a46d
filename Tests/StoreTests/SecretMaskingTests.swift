import Foundation
import Store
import Testing
import TestSupport

extension StoreSuite {
    @Suite struct SecretMaskingTests {
        static let secret = "hunter2-\(UUID().uuidString)"

        @Test func showAndEntryMaskTheSecretWhateverItsSource() throws {
            let directory = TemporaryDirectory()
            let environment = FakeEnvironment()
            let store = StoreFixtures.store(directory, environment: environment)
            #expect(store.show().contains("mqtt.password = \"\"  (default)"))

            try store.set("mqtt.password", to: Self.secret)
            #expect(store.show().contains("mqtt.password = ***  (user)"))
            #expect(try store.entry("mqtt.password").displayValue == "***")
            #expect(try store.set("mqtt.password", to: Self.secret).description == "mqtt.password = ***  (user)")
            #expect(!store.show().joined().contains(Self.secret))
            #expect(store.secretValue(StandardKeys.mqttPassword) == Self.secret)

            environment.values["MQTT_PASSWORD"] = Self.secret + "-env"
            store.reload()
            #expect(store.show().contains("mqtt.password = ***  (env)"))
            #expect(store.secretValue(StandardKeys.mqttPassword) == Self.secret + "-env")
            #expect(!store.show().joined().contains(Self.secret))
        }

        @Test func errorsAboutASecretNeverRepeatIt() {
            let store = StoreFixtures.store(TemporaryDirectory())
            let bad = Self.secret + "\u{0}"
            do {
                try store.set("mqtt.password", to: bad)
                Issue.record("a NUL byte was accepted")
            } catch {
                #expect(error == .invalidValue(key: "mqtt.password", value: "***", allowed: "text without NUL bytes, up to 8192 bytes"))
                #expect(error.description == "mqtt.password: \"***\" is not allowed: text without NUL bytes, up to 8192 bytes")
            }
            #expect(!StandardKeys.mqttPassword.any.helpLine.contains(Self.secret))
        }

        @Test func noLogLineEverCarriesTheSecret() throws {
            let directory = TemporaryDirectory()
            let (_, lines) = try LogCapture.lines { () throws -> Void in
                let store = StoreFixtures.store(directory, environment: FakeEnvironment(["MQTT_PASSWORD": Self.secret]))
                try store.set("mqtt.password", to: Self.secret + "-saved")
                try store.save()
                _ = StoreFixtures.store(directory)
                // A damaged value of a secret key in the file is reported masked.
                StoreFixtures.write(directory.file("config"),
                                    StoreFixtures.signedConfig(["mqtt.password=" + Self.secret + "\u{0}"]))
                let reloaded = StoreFixtures.store(directory)
                #expect(reloaded.problems.count == 1)
                #expect(reloaded.problems.first?.contains("mqtt.password: \"***\"") == true)
                // So is a corrupt file holding it.
                var bytes = [UInt8](StoreFixtures.read(directory.file("config")))
                bytes[30] ^= 0x01
                StoreFixtures.write(directory.file("config"), Data(bytes))
                _ = StoreFixtures.store(directory)
            }
            #expect(!lines.isEmpty)
            for line in lines { #expect(!line.contains(Self.secret), "leaked: \(line)") }
        }

        @Test func theSavedFileHoldsTheSecretForTheNextBoot() throws {
            let directory = TemporaryDirectory()
            let store = StoreFixtures.store(directory)
            try store.set("mqtt.password", to: Self.secret)
            try store.save()
            #expect(StoreFixtures.store(directory).secretValue(StandardKeys.mqttPassword) == Self.secret)
        }
    }
}
