import JSON

/// The `state` heartbeat in the Prometheus text format (version 0.0.4), for `GET /metrics`.
///
/// Derived from the JSON, so every service's counters appear without the dashboard knowing
/// them: a number or boolean at `services.can.state.ring.dropped` becomes
/// `switchyard_can_ring_dropped`; the elements of an array are told apart by a label taken
/// from their identifying member (`name`, `id`, `mac`, ...) or else by `index`. Strings are
/// left out, except the node's description (`switchyard_info`) and each service's health.
/// All metrics are untyped: the JSON does not say which are counters.
enum PrometheusText {
    /// Members that name an array element, in the order they are preferred as its label.
    static let identifyingMembers = ["name", "id", "uid", "mac", "address", "vin", "device", "port", "key", "topic"]

    static func render(_ state: JSONValue) -> String {
        var metrics = MetricSet()
        guard let root = state.objectValue else { return "" }
        var info: [(String, String)] = []
        for key in ["node", "version", "arch", "board", "slot", "led"] {
            if let text = root[key]?.stringValue { info.append((key, text)) }
        }
        metrics.add("switchyard_info", info, 1)
        for (key, value) in root {
            switch key {
            case "services": break
            case "uplink":
                if let text = value["state"]?.stringValue { metrics.add("switchyard_uplink_connected", [], text == "connected" ? 1 : 0) }
                flatten(value, name: "switchyard_uplink", labels: [], into: &metrics)
            default:
                flatten(value, name: "switchyard_" + sanitize(key), labels: [], into: &metrics)
            }
        }
        for (service, entry) in root["services"]?.objectValue ?? JSONObject() {
            let health = entry["health"]?.stringValue ?? "unknown"
            metrics.add("switchyard_service_up", [("service", service)], health == "ok" ? 1 : 0)
            metrics.add("switchyard_service_health", [("service", service), ("health", health)], 1)
            if let block = entry["state"] { flatten(block, name: "switchyard_" + sanitize(service), labels: [], into: &metrics) }
        }
        return metrics.text
    }

    private static func flatten(_ value: JSONValue, name: String, labels: [(String, String)], into metrics: inout MetricSet) {
        switch value {
        case .number(let number): metrics.add(name, labels, number)
        case .bool(let flag): metrics.add(name, labels, flag ? 1 : 0)
        case .object(let object):
            for (key, member) in object { flatten(member, name: name + "_" + sanitize(key), labels: labels, into: &metrics) }
        case .array(let elements):
            for (index, element) in elements.enumerated() {
                flatten(element, name: name, labels: labels + [label(for: element, index: index)], into: &metrics)
            }
        case .null, .string: break
        }
    }

    private static func label(for element: JSONValue, index: Int) -> (String, String) {
        if let object = element.objectValue {
            for member in identifyingMembers {
                if let text = object[member]?.stringValue { return (member, text) }
            }
        }
        return ("index", String(index))
    }

    /// A metric name part: letters, digits and `_` only.
    static func sanitize(_ text: String) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            let ok = (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
            bytes.append(ok ? byte : UInt8(ascii: "_"))
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// Samples grouped by metric name, in order of first appearance (the format wants each
/// metric's samples together).
struct MetricSet {
    private var names: [String] = []
    private var samples: [String: [String]] = [:]

    mutating func add(_ name: String, _ labels: [(String, String)], _ value: Double) {
        var line = name
        if !labels.isEmpty {
            line += "{"
            for (index, (key, text)) in labels.enumerated() {
                if index > 0 { line += "," }
                line += PrometheusText.sanitize(key) + "=\"" + MetricSet.escape(text) + "\""
            }
            line += "}"
        }
        line += " " + (value.isFinite ? JSONValue.number(value).serialized() : "NaN")
        if samples[name] == nil {
            names.append(name)
            samples[name] = [line]
        } else {
            samples[name]!.append(line)
        }
    }

    var text: String {
        var out = ""
        for name in names {
            out += "# TYPE " + name + " untyped\n"
            for line in samples[name]! { out += line + "\n" }
        }
        return out
    }

    /// A label value: backslash, double quote and newline escaped.
    static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(character)
            }
        }
        return out
    }
}
