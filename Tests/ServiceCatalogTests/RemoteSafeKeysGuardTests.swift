import ServiceCatalog
import Store
import Testing

/// A guard over every key the gateway has (the catalogue's schema, as `config keys` lists
/// it): a key is open to the MQTT door only by its own declaration, and no declaration may
/// open a key that names a file, device, endpoint, trust anchor, identity, TLS switch or door.
/// A new key defaults to closed; opening one by mistake fails here.
@Suite("Every config key: closed to MQTT unless declared remote-safe, and never a dangerous one")
struct RemoteSafeKeysGuardTests {
    /// Name parts that mark a key as naming something or switching something on.
    static let dangerousWords: Set<String> = [
        "file", "path", "dir", "device", "adapter", "port", "host", "url", "socket", "tls", "insecure", "ca", "cert",
        "key", "user", "username", "client", "id", "node", "name", "enabled", "token", "password", "secret", "bind",
        "broker", "endpoint", "uart", "baud", "topic", "prefix", "mgmt", "identity", "vin", "gcid", "scope",
        "allow", "deny", "approved", "pairing", "public", "discovery", "discover", "mode", "bus", "iface",
    ]
    /// Doors: no key under them is remote-safe, whatever its name.
    static let doorPrefixes = ["mqtt.", "http.", "rpc.", "console.", "cmnd.", "web.", "ota.", "board.", "led.", "log."]

    /// The keys reviewed as remote-safe: tuning knobs of what is already published.
    static let reviewed: Set<String> = [
        "ble.scan_s", "ble.publish_interval_s", "ble.presence_timeout_s", "ble.min_rssi", "iot.submit_s",
        "benchlab.poll_s", "benchlab.rescan_s", "can.only_changes",
    ]

    /// `bmw.mqtt_ca_file` -> [bmw, mqtt, ca, file]; a plural part counts as its singular.
    static func words(_ name: String) -> [String] {
        name.split(whereSeparator: { $0 == "." || $0 == "_" || $0 == "-" }).flatMap { part -> [String] in
            let word = String(part)
            return word.hasSuffix("s") && word.count > 2 ? [word, String(word.dropLast())] : [word]
        }
    }

    @Test("no secret, host, free-text, door or dangerously named key is remote-safe; the open ones are the reviewed ones")
    func everyKeyInTheCatalogue() {
        let keys = ServiceCatalog.schema.keys
        #expect(keys.count > 100, "the whole catalogue: \(keys.count) keys")
        var open: Set<String> = []
        for key in keys {
            guard key.isRemoteSafe else {
                #expect(key.isPrivileged)
                continue
            }
            open.insert(key.name)
            #expect(!key.isSecret, "\(key.name) is a secret")
            if case .host = key.kind { Issue.record("\(key.name) names a host") }
            #expect(AnyConfigKey.kindMayBeRemoteSafe(key.kind), "\(key.name) is free text")
            #expect(!RemoteSafeKeysGuardTests.doorPrefixes.contains { key.name.hasPrefix($0) }, "\(key.name) configures a door")
            let dangerous = RemoteSafeKeysGuardTests.words(key.name).filter { RemoteSafeKeysGuardTests.dangerousWords.contains($0) }
            #expect(dangerous.isEmpty, "\(key.name) mentions \(dangerous)")
            #expect(key.helpLine.contains("settable over MQTT"))
        }
        #expect(open == RemoteSafeKeysGuardTests.reviewed, "opened without review: \(open.subtracting(RemoteSafeKeysGuardTests.reviewed))")
        // The issue's keys, by name.
        for name in ["bmw.token_file", "skoda.mqtt_tls", "can.slcan_device", "ble.adapter", "benchlab.ports",
                     "iot.cert_file", "iot.key_file", "skoda.user_id", "bmw.client_id", "node.name"] {
            #expect(ServiceCatalog.schema.key(named: name)?.isRemoteSafe == false, "\(name)")
        }
        for key in keys where key.name.hasSuffix("ca_file") || key.name.hasSuffix("_tls") || key.name.hasSuffix("insecure") {
            #expect(!key.isRemoteSafe, "\(key.name)")
        }
    }

    @Test("the guard's own word test catches the issue's keys")
    func wordsCatchTheIssuesKeys() {
        for name in ["bmw.token_file", "skoda.mqtt_tls", "can.slcan_device", "ble.adapter", "benchlab.ports",
                     "iot.ca_file", "skoda.user_id", "bmw.client_id", "node.name", "mqtt.tls.insecure", "ble.enabled"] {
            #expect(!RemoteSafeKeysGuardTests.words(name).filter { RemoteSafeKeysGuardTests.dangerousWords.contains($0) }.isEmpty,
                    "\(name)")
        }
        #expect(RemoteSafeKeysGuardTests.words("ble.scan_s").allSatisfy { !RemoteSafeKeysGuardTests.dangerousWords.contains($0) })
    }
}
