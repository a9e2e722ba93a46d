import Runtime
import Store
import Testing
import TestSupport

extension StoreSuite {
    /// The key side of the MQTT door's allowlist: a key is closed to MQTT unless its own
    /// declaration opens it, and nothing is guessed from its name.
    @Suite struct RemoteRightTests {
        static let interval = ConfigKey<Interval>.duration(
            "sensor.interval_s", seconds: 1...600, default: 10, help: "Seconds between readings.").remoteSafe()
        static let threshold = ConfigKey<Int>.integer(
            "sensor.threshold", in: 0...100, default: 5, help: "Smallest change published.")
        // Named like nothing the old prefix and suffix lists knew: only the declaration counts.
        static let dumpFile = ConfigKey<String>.text("sensor.dump", help: "Where to write readings.")

        @Test func keysAreClosedToMQTTUnlessDeclaredOpen() {
            #expect(!Self.threshold.any.isRemoteSafe && Self.threshold.any.isPrivileged)
            #expect(!Self.dumpFile.any.isRemoteSafe && Self.dumpFile.any.isPrivileged)
            #expect(Self.interval.any.isRemoteSafe && !Self.interval.any.isPrivileged)
            // The declaration changes nothing else about the key.
            #expect(Self.interval.name == "sensor.interval_s")
            #expect(Self.interval.defaultValue == .seconds(10))
            for key in StandardKeys.all {
                #expect(!key.isRemoteSafe, "\(key.name): the gateway's own keys configure doors and identity")
            }
        }

        @Test func kindsOfFreeTextCannotBeDeclaredOpen() {
            for kind: ConfigKind in [.string, .identifier, .list, .host, .topic] {
                #expect(!AnyConfigKey.kindMayBeRemoteSafe(kind), "\(kind)")
            }
            for kind: ConfigKind in [.integer(min: 0, max: 1), .boolean, .choice(["a"]), .duration(min: 0, max: 1),
                                     .powerOfTwo(min: 1, max: 2)] {
                #expect(AnyConfigKey.kindMayBeRemoteSafe(kind), "\(kind)")
            }
        }

        @Test func helpMarksTheKeysMQTTMayChange() {
            #expect(Self.interval.any.helpLine.hasPrefix("sensor.interval_s (seconds 1..600, default 10, settable over MQTT): "))
            #expect(!Self.threshold.any.helpLine.contains("MQTT"))
            #expect(AnyConfigKey.remoteRule.contains("settable over MQTT"))
            #expect(AnyConfigKey.remoteRule.contains("cmnd.allow_privileged"))
        }

        @Test func theStoreKnowsWhichKeysASaveWouldKeep() throws {
            var schema = ConfigSchema.standard
            schema.register([Self.interval.any, Self.threshold.any])
            let directory = TemporaryDirectory()
            let store = StoreFixtures.store(directory, schema: schema)
            #expect(store.unsavedNames.isEmpty)
            try store.set("sensor.interval_s", to: "20")
            try store.set("sensor.threshold", to: "7")
            try store.unset("mqtt.port") // not set: nothing to keep
            #expect(store.unsavedNames == ["sensor.interval_s", "sensor.threshold"])
            try store.save()
            #expect(store.unsavedNames.isEmpty)
            try store.unset("sensor.threshold")
            #expect(store.unsavedNames == ["sensor.threshold"])
            try store.set("sensor.threshold", to: "7")
            #expect(store.unsavedNames.isEmpty, "back to the saved value: nothing for a save to keep")
            try store.set("sensor.interval_s", to: "30")
            store.reload()
            #expect(store.unsavedNames.isEmpty)
            #expect(store.value(Self.interval) == .seconds(20))
        }
    }
}
