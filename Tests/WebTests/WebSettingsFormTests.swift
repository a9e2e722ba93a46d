import Console
import Foundation
import JSON
import Runtime
import ServiceKit
import Store
import TestSupport
import Testing
@testable import Web

/// The settings forms: drawn from the config catalogue (a form for the keys this firmware
/// has), changed through the console's own `set` and `save`, each wrong field refused with
/// its key's message and nothing changed, secrets never sent back.
@Suite("Dashboard settings forms", .serialized)
struct WebSettingsFormTests {
    private func token(_ rig: WebRig) throws -> String {
        let page = try rig.get("/").body
        let match = try #require(page.range(of: #"<meta name="csrf" content="[0-9a-f]{32}">"#, options: .regularExpression))
        return String(page[match].suffix(34).prefix(32))
    }

    private func post(_ rig: WebRig, _ body: JSONValue, token: String) throws -> (status: Int, json: JSONValue, text: String) {
        let reply = try rig.curl(["-X", "POST", "-H", "Content-Type: application/json", "-H", "X-CSRF-Token: " + token,
                                  "--data", body.serialized(), rig.base + "/api/action"])
        return (reply.status, (try? JSONValue.parse(reply.body)) ?? .null, reply.body)
    }

    @Test("the broker form comes from the catalogue; a wrong port is refused at its field and nothing changes; good values are set and saved; the password is never echoed")
    func brokerSettings() throws {
        let rig = try WebRig()
        ConfigCommands.register(in: rig.registry, store: rig.store)
        let token = try token(rig)

        let forms = try JSONValue.parse(try rig.get("/api/settings").body)
        let list = forms["forms"]?.arrayValue ?? []
        let mqtt = try #require(list.first { $0["id"]?.stringValue == "mqtt" }, "\(forms)")
        let keys = mqtt["fields"]?.arrayValue?.compactMap { $0["key"]?.stringValue } ?? []
        #expect(keys == ["mqtt.host", "mqtt.port", "mqtt.transport", "mqtt.username", "mqtt.password"])
        let port = mqtt["fields"]?.arrayValue?.first { $0["key"]?.stringValue == "mqtt.port" }
        #expect(port?["current"]?.stringValue == "1883" && port?["kind"]?.stringValue?.hasPrefix("integer") == true)
        // Only what this firmware registers: a Wi-Fi form exactly when its keys exist.
        let wifiKeys = rig.store.schema.names.filter { $0.hasPrefix("wifi.") }
        #expect(list.contains { $0["id"]?.stringValue == "wifi" } == !wifiKeys.isEmpty, "\(forms)")

        // One wrong field: refused with the port's own message, and the good host not set either.
        let wrong = try post(rig, ["action": "settings", "confirm": true,
                                   "values": ["mqtt.host": "broker.example", "mqtt.port": "70000"]], token: token)
        #expect(wrong.status == 422, "\(wrong.text)")
        let message = wrong.json["errors"]?["mqtt.port"]?.stringValue
        #expect(message?.contains("65535") == true, "the key's own validation message: \(wrong.text)")
        #expect(wrong.json["errors"]?["mqtt.host"] == nil)
        #expect(rig.store.string(StandardKeys.mqttHost) == "localhost", "nothing changed")
        let badHost = try post(rig, ["action": "settings", "confirm": true, "values": ["mqtt.host": "no such host!"]], token: token)
        #expect(badHost.status == 422 && badHost.json["errors"]?["mqtt.host"]?.stringValue?.isEmpty == false, "\(badHost.text)")

        // Unconfirmed, or a key no form offers: refused before any command.
        #expect(try post(rig, ["action": "settings", "values": ["mqtt.host": "a.example"]], token: token).status == 409)
        #expect(try post(rig, ["action": "settings", "confirm": true, "values": ["web.password": "x"]], token: token).status == 400)

        let secret = "form-secret-\(UUID().uuidString.prefix(8))"
        let good = try post(rig, ["action": "settings", "confirm": true,
                                  "values": ["mqtt.host": "broker.example", "mqtt.port": "8883", "mqtt.password": .string(secret)]],
                            token: token)
        #expect(good.status == 200 && good.json["ok"]?.boolValue == true, "\(good.text)")
        #expect(!good.text.contains(secret), "the reply never carries the secret")
        #expect(rig.store.string(StandardKeys.mqttHost) == "broker.example")
        #expect(rig.store.integer(StandardKeys.mqttPort) == 8883)
        #expect(rig.store.secretValue(StandardKeys.mqttPassword) == secret)
        #expect(rig.store.unsavedNames.isEmpty, "saved, as the console's save does")

        let after = try rig.get("/api/settings").body
        #expect(!after.contains(secret), "the form data never carries the secret")
        let password = try JSONValue.parse(after)["forms"]?.arrayValue?.first?["fields"]?.arrayValue?
            .first { $0["key"]?.stringValue == "mqtt.password" }
        #expect(password?["set"]?.boolValue == true && password?["current"] == nil)
        #expect(!(try rig.get("/api/state").body).contains(secret))
    }

    @Test("with wifi.* keys registered (as the Wi-Fi module does) a Wi-Fi form appears; its secret is never in it")
    func wifiFormFollowsTheCatalogue() throws {
        let directory = TemporaryDirectory(prefix: "wifi-form")
        var schema = ConfigSchema.standard
        // Stand-ins for the Wi-Fi module's keys, unless this build's catalogue has them already.
        schema.register([
            ConfigKey<String>.text("wifi.ssid", help: "Network name.").any,
            ConfigKey<String>.text("wifi.psk", help: "Passphrase.", secret: true).any,
            ConfigKey<String>.text("wifi.country", default: "DE", help: "Regulatory country.").any,
        ].filter { schema.key(named: $0.name) == nil })
        let store = ConfigStore(schema: schema, dataDirectory: directory.path, environment: { _ in nil })
        try store.set("wifi.psk", to: "wifi-passphrase-42")
        let forms = WebSettingsForm.json(store)
        let wifi = try #require(forms["forms"]?.arrayValue?.first { $0["id"]?.stringValue == "wifi" }, "\(forms)")
        #expect(wifi["fields"]?.arrayValue?.compactMap { $0["key"]?.stringValue } == ["wifi.ssid", "wifi.psk", "wifi.country"])
        #expect(wifi["fields"]?[1]?["set"]?.boolValue == true && wifi["fields"]?[1]?["current"] == nil)
        #expect(wifi["fields"]?[2]?["current"]?.stringValue != nil, "a plain setting shows its value")
        #expect(!forms.serialized().contains("wifi-passphrase-42"))
        #expect(WebSettingsForm.settableKeys(schema).contains("wifi.psk"))
        var withoutWifi = ConfigSchema()
        withoutWifi.register(StandardKeys.all.filter { !$0.name.hasPrefix("wifi.") })
        #expect(!WebSettingsForm.settableKeys(withoutWifi).contains("wifi.psk"), "no Wi-Fi keys, no Wi-Fi form")
    }
}
