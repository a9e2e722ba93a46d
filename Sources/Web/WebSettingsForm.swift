import JSON
import Store

/// The settings a person may change from the page, as forms drawn from the config catalogue:
/// a field appears only for a key this firmware registers (Wi-Fi's keys come with the module
/// that adds them), with the key's help, kind and current value; a secret's value is never
/// sent, only whether it is set. Changes go through the console's `set` and `save`.
enum WebSettingsForm {
    /// The forms and their keys, in the order shown.
    static let forms: [(id: String, title: String, keys: [String])] = [
        ("mqtt", "MQTT broker", ["mqtt.host", "mqtt.port", "mqtt.transport", "mqtt.username", "mqtt.password"]),
        ("wifi", "Wi-Fi", ["wifi.ssid", "wifi.psk", "wifi.country"]),
    ]

    /// The keys of `forms` that `schema` has: what the page may set.
    static func settableKeys(_ schema: ConfigSchema) -> [String] {
        var keys: [String] = []
        for form in forms {
            for name in form.keys where schema.key(named: name) != nil { keys.append(name) }
        }
        return keys
    }

    /// `{"forms":[{"id","title","fields":[{"key","help","kind","secret","current"|"set"}]}]}`,
    /// forms without a registered key left out.
    static func json(_ store: ConfigStore) -> JSONValue {
        var list: [JSONValue] = []
        for form in forms {
            var fields: [JSONValue] = []
            for name in form.keys {
                guard let key = store.schema.key(named: name), let entry = try? store.entry(name) else { continue }
                var field = JSONObject(minimumCapacity: 6)
                field.append("key", .string(name))
                field.append("help", .string(key.help))
                field.append("kind", .string(key.kind.name))
                if case .choice(let choices) = key.kind { field.append("choices", .array(choices.map { .string($0) })) }
                field.append("secret", .bool(key.isSecret))
                if key.isSecret {
                    // Whether one is set, never what it is.
                    field.append("set", .bool(entry.displayValue != "\"\""))
                } else {
                    // The store shows an empty value as `""`; the form as an empty hint.
                    field.append("current", .string(entry.displayValue == "\"\"" ? "" : entry.displayValue))
                }
                fields.append(.object(field))
            }
            guard !fields.isEmpty else { continue }
            list.append(["id": .string(form.id), "title": .string(form.title), "fields": .array(fields)])
        }
        return ["forms": .array(list)]
    }
}
