import Store
import Testing
import TestSupport

extension StoreSuite {
    @Suite struct ConfigSchemaTests {
        static let sensorPeriod = ConfigKey<Int>.integer(
            "sensor.period_s", in: 1...60, default: 10,
            help: "Seconds between sensor readings.", environment: "SENSOR_PERIOD")
        static let sensorToken = ConfigKey<String>.text(
            "sensor.token", help: "API token of the sensor cloud.", secret: true)

        @Test func featureModulesRegisterTheirOwnKeys() throws {
            var schema = ConfigSchema.standard
            schema.register([Self.sensorPeriod.any, Self.sensorToken.any])
            let directory = TemporaryDirectory()
            let store = StoreFixtures.store(directory, environment: FakeEnvironment(["SENSOR_PERIOD": "20"]),
                                            schema: schema)
            #expect(store.integer(Self.sensorPeriod) == 20)
            #expect(store.source(of: Self.sensorPeriod) == .environment)
            try store.set("sensor.token", to: "tok")
            #expect(store.show().contains("sensor.token = ***  (user)"))
            #expect(schema.keys.count == StandardKeys.all.count + 2)
            #expect(schema.names == schema.names.sorted())
        }

        @Test func suggestsOnlyPlausibleTypos() {
            let schema = ConfigSchema.standard
            #expect(schema.suggestion(for: "mqtt.hots") == "mqtt.host")
            #expect(schema.suggestion(for: "mqtt.prot") == "mqtt.port")
            #expect(schema.suggestion(for: "rpc.bnd") == "rpc.bind")
            #expect(schema.suggestion(for: "MQTT.PORT") == nil)
            #expect(schema.suggestion(for: "x") == nil)
            #expect(schema.suggestion(for: "weather.city") == nil)
        }

        @Test func helpLinesDescribeEveryKey() {
            let lines = ConfigSchema.standard.helpLines()
            #expect(lines.count == StandardKeys.all.count)
            #expect(lines.contains("mqtt.port (integer 1..65535, default 1883, env MQTT_PORT): TCP port of the MQTT broker."))
            #expect(lines.contains { $0.hasPrefix("mqtt.password (string, default \"\", env MQTT_PASSWORD, secret): ") })
            #expect(lines.contains { $0.hasSuffix("Allowed: one of MQTTv311, MQTTv5, MQTTv31.") })
        }

        @Test func keyNamesFollowTheFileFormatsRules() {
            #expect(AnyConfigKey.isValidName("mqtt.tls.ca_file"))
            #expect(AnyConfigKey.isValidName("a-b.c_d.e1"))
            for bad in ["", ".a", "a.", "a..b", "A.b", "a=b", "a b", "a\nb", "ä"] {
                #expect(!AnyConfigKey.isValidName(bad), "\(bad)")
            }
        }

        @Test func registeringAKeyTwiceTraps() async {
            await #expect(processExitsWith: .failure) {
                var schema = ConfigSchema.standard
                schema.register([StandardKeys.mqttPort.any])
            }
        }

        @Test func readingAKeyOutsideTheSchemaTraps() async {
            await #expect(processExitsWith: .failure) {
                let store = ConfigStore(schema: ConfigSchema(), dataDirectory: "/nonexistent", environment: { _ in nil })
                _ = store.integer(StandardKeys.mqttPort)
            }
        }

        @Test func readingASecretAsPlainTextTraps() async {
            await #expect(processExitsWith: .failure) {
                let store = ConfigStore(dataDirectory: "/nonexistent", environment: { _ in nil })
                _ = store.string(StandardKeys.mqttPassword)
            }
        }
    }
}
