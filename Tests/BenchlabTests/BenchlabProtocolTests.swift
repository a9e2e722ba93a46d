import Benchlab
import Runtime
import SerialPort
import Store
import Testing

@Suite("Benchlab protocol records, topics, settings and discovery")
struct BenchlabProtocolTests {
    @Test("vendor data confirms a Benchlab and names its model and firmware")
    func vendorData() throws {
        #expect(try BenchlabVendorData.decode([0xEE, 0x10, 0x05]) == BenchlabVendorData(model: .original, firmware: 5))
        #expect(try BenchlabVendorData.decode([0xEE, 0x11, 0x07]) == BenchlabVendorData(model: .bl2, firmware: 7))
        #expect(throws: BenchlabError.notABenchlab("vendor ID 0x42, not 0xEE")) {
            try BenchlabVendorData.decode([0x42, 0x10, 0x05])
        }
        #expect(throws: BenchlabError.notABenchlab("product ID 0x12 is not a known Benchlab")) {
            try BenchlabVendorData.decode([0xEE, 0x12, 0x05])
        }
        #expect(throws: BenchlabError.self) { try BenchlabVendorData.decode([0xEE, 0x10]) }
    }

    @Test("the UID is 24 upper-case hex characters of exactly 12 bytes")
    func uidText() throws {
        let bytes: [UInt8] = [0x20, 0x6C, 0x35, 0xA0, 0x52, 0x50, 0x4B, 0x31, 0x00, 0x0B, 0x00, 0xFF]
        #expect(try BenchlabIdentity.uidText(bytes) == "206C35A052504B31000B00FF")
        #expect(throws: BenchlabError.self) { try BenchlabIdentity.uidText(Array(bytes.prefix(11))) }
        let info = BenchlabIdentity(uid: "AB", model: .bl2, firmware: 7).infoJSON(port: "/dev/ttyACM0")
        #expect(info.serialized() == "{\"uid\":\"AB\",\"com_port\":\"/dev/ttyACM0\",\"firmware\":7,\"model\":\"BL2\"}")
    }

    @Test("reply lengths and the pushed welcome follow the model and firmware")
    func modelFacts() {
        #expect(BenchlabModel.original.welcomeLength(firmware: 4) == 9)
        #expect(BenchlabModel.original.welcomeLength(firmware: 5) == 32)
        #expect(BenchlabModel.bl2.welcomeLength(firmware: 5) == 9)
        #expect(BenchlabModel.bl2.welcomeLength(firmware: 6) == 32)
        #expect(BenchlabModel.original.sensorFrameLength(firmware: 2) == 216)
        #expect(BenchlabModel.bl2.sensorFrameLength(firmware: 4) == 368)
        #expect(BenchlabModel.bl2.sensorFrameLength(firmware: 5) == 384)
        #expect(!BenchlabModel.original.pushesWelcomeOnRTS(firmware: 4))
        #expect(BenchlabModel.original.pushesWelcomeOnRTS(firmware: 5))
        #expect(!BenchlabModel.bl2.pushesWelcomeOnRTS(firmware: 5))
        #expect(BenchlabModel.bl2.pushesWelcomeOnRTS(firmware: 6))
    }

    @Test("topics default to the seed's and fill {uid}; wildcards and a missing {uid} are refused")
    func topics() throws {
        #expect(BenchlabTopics.seed.info(uid: "0A1B") == "clients/client_uuid/links/link_uuid/benchlabs/0A1B/info")
        #expect(BenchlabTopics.seed.telemetry(uid: "0A1B")
                == "clients/client_uuid/links/link_uuid/benchlabs/0A1B/telemetry")
        let custom = try BenchlabTopics(info: "benchlab/{uid}/info", telemetry: "benchlab/{uid}/t/{uid}")
        #expect(custom.telemetry(uid: "X") == "benchlab/X/t/X")
        #expect(throws: BenchlabError.self) { try BenchlabTopics(info: "benchlab/+/info", telemetry: "b/{uid}") }
        #expect(throws: BenchlabError.self) { try BenchlabTopics(info: "b/{uid}", telemetry: "benchlab/#") }
        #expect(throws: BenchlabError.self) { try BenchlabTopics(info: "b/info", telemetry: "b/{uid}") }
    }

    @Test("discovery takes configured ports, then USB 0483:5740 ports; other USB IDs are ignored")
    func discoveryCandidates() {
        let listed = [
            SerialPortInfo(path: "/dev/ttyACM1", transport: .usb, usbVendorID: 0x0483, usbProductID: 0x5740),
            SerialPortInfo(path: "/dev/ttyUSB0", transport: .usb, usbVendorID: 0x1A86, usbProductID: 0x7523),
            SerialPortInfo(path: "/dev/ttyACM0", transport: .usb, usbVendorID: 0x0483, usbProductID: 0x5740),
            SerialPortInfo(path: "/dev/ttyAMA0"),
            SerialPortInfo(path: "/dev/ttyS9", transport: .usb, usbVendorID: 0x0483, usbProductID: 0x5741),
        ]
        let discovery = BenchlabDiscovery(explicitPorts: ["/dev/ttyACM1", "/tmp/sim0"], discoverByUSB: true)
        #expect(discovery.candidates(listed: listed) == [
            .init(path: "/dev/ttyACM1", isExplicit: true), .init(path: "/tmp/sim0", isExplicit: true),
            .init(path: "/dev/ttyACM0", isExplicit: false),
        ])
        let explicitOnly = BenchlabDiscovery(explicitPorts: ["/tmp/sim0"], discoverByUSB: false)
        #expect(explicitOnly.candidates(listed: listed) == [.init(path: "/tmp/sim0", isExplicit: true)])
    }

    @Test("settings come from the store: MQTT_POLL_RATE, the port list, topics; defaults retry up to 30 s")
    func settingsFromStore() throws {
        var schema = ConfigSchema.standard
        schema.register(BenchlabConfigKeys.all)
        let environment = ["MQTT_POLL_RATE": "3", "MQTT_QOS": "1"]
        let store = ConfigStore(schema: schema, dataDirectory: "/nonexistent", environment: { environment[$0] })
        try store.set("benchlab.ports", to: " /dev/ttyACM0, /tmp/sim1 ,,/dev/ttyACM0")
        try store.set("benchlab.topic_telemetry", to: "bench/{uid}")
        let settings = try BenchlabSettings(store: store)
        #expect(settings.pollInterval == .seconds(3))
        #expect(settings.qos == 1)
        #expect(settings.explicitPorts == ["/dev/ttyACM0", "/tmp/sim1"])
        #expect(settings.topics.telemetry(uid: "U") == "bench/U")
        #expect(settings.topics.info(uid: "U") == "clients/client_uuid/links/link_uuid/benchlabs/U/info")
        #expect(settings.retryMaximum == .seconds(30))
        #expect(!store.boolean(BenchlabConfigKeys.enabled), "off unless enabled")

        #expect(throws: StoreError.self, "a wildcard is refused by set") { try store.set("benchlab.topic_info", to: "bench/#") }
        try store.set("benchlab.topic_info", to: "bench/info")
        #expect(throws: BenchlabError.self, "a template without {uid}") { try BenchlabSettings(store: store) }
    }
}
