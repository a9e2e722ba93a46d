import Foundation
import ServiceCatalog
import Store
import TestSupport
import Testing

/// Every key of the catalogue (the whole schema `config keys` lists) refuses a value that
/// cannot work, at `set`, with an error that names the key and says what is allowed. The
/// bad value comes from the key's kind (a switch without `default`, so a new kind must bring
/// one); free-text keys, which no kind can check, must be reviewed into `freeText` with the
/// reason, so a new key that takes anything fails here until someone decides it may.
@Suite("Every config key refuses a bad value at set, naming the key")
struct EveryKeyRefusesABadValueTests {
    /// Keys whose kind is free text or a plain list, each with why no stricter kind fits.
    /// Their bad value is what every text refuses: a NUL byte.
    static let freeText: [String: String] = [
        "mqtt.username": "any user name the broker knows", "mqtt.password": "a secret",
        "mqtt.ws_path": "kept for the seeds' .env files; unused with tcp",
        "mqtt.client_id": "any MQTT client id; empty derives it from node.name",
        "console.device": "-, none, or a device that may appear later (a USB serial adapter)",
        "ble.adapter": "hciN or a device path that may appear later",
        "ble.mgmt_socket": "a socket a test tool creates later",
        "ble.pairing_keys": "written by `bcms pair`, checked by the service at start",
        "iot.token": "a secret", "iot.application_identifier": "the server's own id, any text",
        "iot.username": "any user name", "benchlab.ports": "serial devices that may appear later",
        "can.slcan_device": "a USB adapter that may be plugged in later",
        "bmw.vin": "VINs, checked against the account", "bmw.token_file": "written by the service if missing",
        "bmw.refresh_token": "written by `bmw login`", "bmw.refresh_expires": "written by `bmw login`",
        "bmw.gcid": "written by `bmw login`", "bmw.scope": "written by `bmw login`",
        "skoda.vins": "VINs, checked against the account", "skoda.refresh_token": "a secret",
        "skoda.fcm_token": "a secret", "web.username": "any user name", "web.password": "a secret",
        "ota.group": "empty (no group) or a group name, checked by the OTA service at start",
        "time.servers": "host or host:port items; the network service refuses a bad one at start, naming it",
        "wifi.run_directory": "a directory under /run the network service creates",
    ]

    /// A value `kind` refuses.
    static func badValue(for kind: ConfigKind) -> String {
        switch kind {
        case .string, .list: return "a\u{0}b"
        case .identifier: return "bad name!"
        case .integer(_, let max): return String(max) + "0"
        case .boolean: return "maybe"
        case .choice: return "no-such-choice"
        case .powerOfTwo: return "3"
        case .duration(_, let max): return String(max + 1)
        case .host: return "bad host name!"
        case .topic: return "a/+/b"
        case .ipAddress: return "not-an-address"
        case .path(let directory): return directory ? "/nonexistent/switchyard-dir" : "/nonexistent/switchyard.pem"
        case .url: return "ftp://example.com/"
        case .uuid: return "not-a-uuid"
        case .hexList: return "nothex"
        case .macList: return "not-a-mac"
        case .macPairs(.uuid): return "AA:BB:CC:DD:EE:FF=not-a-uuid"
        case .macPairs(.hex): return "AA:BB:CC:DD:EE:FF=00"
        case .canFilters: return "zzz"
        case .integerChoice: return "123"
        case .wifiSSID: return String(repeating: "s", count: 33)
        case .wifiPassphrase: return "short"
        case .countryCode: return "D1"
        }
    }

    @Test("each key refuses its bad value, the error starts with the key's name, and the value is unchanged")
    func everyKey() {
        let schema = ServiceCatalog.schema
        #expect(schema.keys.count > 100, "the whole catalogue")
        let directory = TemporaryDirectory()
        let store = ConfigStore(schema: schema, dataDirectory: directory.path, environment: { _ in nil })
        var reviewedSeen: Set<String> = []
        for key in schema.keys {
            switch key.kind {
            case .string, .list:
                #expect(Self.freeText[key.name] != nil,
                        "\(key.name) takes free text: give it a kind that checks it, or review it into freeText")
                reviewedSeen.insert(key.name)
            default:
                break
            }
            let before = store.show().first { $0.hasPrefix(key.name + " = ") }
            let bad = Self.badValue(for: key.kind)
            do throws(StoreError) {
                try store.set(key.name, to: bad)
                Issue.record("\(key.name) took \(bad.debugDescription)")
            } catch {
                #expect(error.description.hasPrefix(key.name + ": "), "\(error.description)")
            }
            #expect(store.show().first { $0.hasPrefix(key.name + " = ") } == before)
        }
        let stale = Set(Self.freeText.keys).subtracting(reviewedSeen)
        #expect(stale.isEmpty, "reviewed keys that no longer exist or are checked now: \(stale)")
    }

    @Test("the values the issue found accepted are refused with what is allowed")
    func theIssuesValues() {
        let directory = TemporaryDirectory()
        let store = ConfigStore(schema: ServiceCatalog.schema, dataDirectory: directory.path, environment: { _ in nil })
        let cases: [(String, String, String)] = [
            ("mqtt.tls.ca_file", "/nonexistent/ca.pem", "no such file"),
            ("mqtt.transport", "websockets", "one of tcp"),
            ("ota.public_keys", "nothex", "64 hex digits"),
            ("can.filters", "zzz", "ID:MASK"),
            ("ble.allow", "not-a-mac", "MAC addresses"),
            ("ble.approved", "AA:BB:CC:DD:EE:FF", "MAC=UUID"),
            ("can.bitrate", "123", "500000"),
            ("mqtt.host", "bad host name!", "host name"),
            ("bmw.client_id", "my-client", "UUID"),
        ]
        for (name, value, allowed) in cases {
            do throws(StoreError) {
                try store.set(name, to: value)
                Issue.record("\(name) took \(value)")
            } catch {
                #expect(error.description.hasPrefix(name + ": "))
                #expect(error.description.contains(allowed), "\(error.description)")
            }
        }
    }

    @Test("good values are kept in one canonical form the owning module reads")
    func goodValues() throws {
        let directory = TemporaryDirectory()
        let store = ConfigStore(schema: ServiceCatalog.schema, dataDirectory: directory.path, environment: { _ in nil })
        let pem = directory.file("ca.pem")
        try "-----BEGIN CERTIFICATE-----\n".write(toFile: pem, atomically: true, encoding: .utf8)
        let cases: [(String, String, String)] = [
            ("bmw.client_id", "  0123ABCD-89ab-cdef-0123-456789abcdef \n", "0123ABCD-89ab-cdef-0123-456789abcdef"),
            ("ble.allow", "aa-bb-cc-dd-ee-ff, 112233445566", "AA:BB:CC:DD:EE:FF,11:22:33:44:55:66"),
            ("ble.approved", "aa:bb:cc:dd:ee:ff=01234567-89ab-cdef-0123-456789abcdef",
             "AA:BB:CC:DD:EE:FF=01234567-89ab-cdef-0123-456789abcdef"),
            ("ota.public_keys", String(repeating: "AB", count: 32), String(repeating: "ab", count: 32)),
            ("can.filters", "0x7E8:0x7F8 0x100", "0x7E8:0x7F8,0x100"),
            ("can.bitrate", "500000", "500000"),
            ("mqtt.host", "broker.local", "broker.local"),
            ("mqtt.host", "fe80::1", "fe80::1"),
            ("mqtt.host", "10.0.0.2", "10.0.0.2"),
            ("web.bind", "::", "::"),
            ("bmw.auth_url", "http://127.0.0.1:8080/oauth", "http://127.0.0.1:8080/oauth"),
            ("mqtt.tls.ca_file", pem, pem),
        ]
        for (name, value, canonical) in cases {
            let entry = try store.set(name, to: value)
            #expect(entry.displayValue == canonical, "\(name)")
        }
        for (name, value) in [("rpc.bind", "::1"), ("mqtt.host", "999.1.1.1"), ("mqtt.host", "-bad.example"),
                              ("bmw.auth_url", "https://user@example.com/"), ("can.filters", "0x20000000"),
                              ("ble.bthome_keys", "AA:BB:CC:DD:EE:FF=" + String(repeating: "0", count: 30)),
                              ("mqtt.tls.ca_dir", pem), ("mqtt.tls.ca_file", directory.path)] {
            #expect(throws: StoreError.self, "\(name) \(value)") { try store.set(name, to: value) }
        }
    }
}
