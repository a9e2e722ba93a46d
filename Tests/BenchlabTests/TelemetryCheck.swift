import Foundation

/// Compares a published telemetry payload with the expected values, key by key.
enum TelemetryCheck {
    /// The payload parsed as a JSON object, nil if it is not one.
    static func object(_ payload: String) -> [String: Any]? {
        guard let data = payload.data(using: .utf8) else { return nil }
        return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
    }

    /// Differences, one line each; empty when every key matches exactly and nothing is extra.
    /// `timestamp` must be an integer of milliseconds within a minute of now.
    static func mismatches(_ payload: [String: Any], _ expected: [String: Any]) -> [String] {
        var problems: [String] = []
        for (key, value) in expected {
            guard let actual = payload[key] else { problems.append("missing \(key)"); continue }
            if value is NSNull {
                if !(actual is NSNull) { problems.append("\(key): \(actual), expected null") }
            } else if let number = value as? Double {
                guard let published = (actual as? NSNumber)?.doubleValue, !(actual is NSNull) else {
                    problems.append("\(key): \(actual), expected \(number)"); continue
                }
                if published != number { problems.append("\(key): \(published), expected \(number)") }
            }
        }
        for key in payload.keys where expected[key] == nil && key != "timestamp" {
            problems.append("unexpected key \(key)")
        }
        if let timestamp = (payload["timestamp"] as? NSNumber)?.doubleValue {
            let now = Date().timeIntervalSince1970 * 1000
            if timestamp != timestamp.rounded() || abs(timestamp - now) > 60_000 {
                problems.append("timestamp \(timestamp) is not integer milliseconds of now")
            }
        } else {
            problems.append("missing timestamp")
        }
        return problems
    }
}
