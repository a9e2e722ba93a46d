import CLI
import Runtime

/// Selftest of the JSON layer: build, print, parse back, read typed values, reject garbage.
public enum JSONSelftests {
    /// The checks `switchyard selftest` runs for this module.
    public static var checks: [SelftestCheck] {[SelftestCheck("json", run: encodeDecode)]}

    static func encodeDecode() -> SelftestOutcome {
        let value: JSONValue = [
            "node": "selftest", "uptime_ms": .int(1_732_179_000_123), "ok": true,
            "ratio": 0.25, "list": [1, 2, 3], "text": "quote \" and \\ and \u{e9}",
        ]
        let text = value.serialized()
        let parsed: JSONValue
        do throws(JSONError) { parsed = try JSONValue.parse(text) } catch { return .failed(error.description) }
        guard parsed == value else { return .failed("round trip changed the value: \(text)") }
        do throws(JSONError) {
            guard try parsed.cursor["uptime_ms"].int() == 1_732_179_000_123 else { return .failed("integer changed") }
            _ = try parsed.cursor["node"].int()
            return .failed("a string was read as an integer")
        } catch {
            guard error.description.containsText("node") else { return .failed("unclear error: \(error.description)") }
        }
        do throws(JSONError) {
            _ = try JSONValue.parse("{\"a\":}")
            return .failed("malformed JSON was accepted")
        } catch {}
        return .passed("\(text.utf8.count)-byte object round trip, typed errors")
    }
}
