import Foundation
import JSON
import Testing

/// A second opinion: Foundation's JSONSerialization must read what we print as the same data,
/// and we must read what it prints.
@Suite("Cross-check against Foundation's JSONSerialization")
struct FoundationCrossCheckTests {
    static let payloads: [JSONValue] = [
        ["ts": .int(1_732_179_000_123), "id": .int(0x1FFF_FFFF), "dlc": 8, "data": [0, 255, 16, 1]],
        ["node": "gw1", "uptime_s": 86_400, "load": 0.25, "tasks": [["name": "ble.scan", "runs": 17_280, "overruns": 0]]],
        ["temp_c": 21.374999999999996, "volt": 3.3, "tiny": -2.25e-7, "big": .int(9_007_199_254_740_992), "neg": -1],
        ["text": "quote \" backslash \\ newline \n tab \t bell \u{07} é 日本 🚗", "empty": "", "null": .null, "flags": [true, false]],
        [[], [:], [[[]]], ["": ""]],
    ]

    @Test("Foundation reads our output as the same data", arguments: payloads)
    func foundationReadsOurs(value: JSONValue) throws {
        let data = Data(value.serialized().utf8)
        let parsed = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        #expect(Self.same(parsed, Self.foundationObject(value)), "\(value.serialized())")
    }

    @Test("we read Foundation's output as the same data", arguments: payloads)
    func weReadFoundations(value: JSONValue) throws {
        let data = try JSONSerialization.data(withJSONObject: Self.foundationObject(value), options: [.fragmentsAllowed])
        let parsed = try JSONValue.parse(Array(data))
        #expect(Self.same(Self.foundationObject(parsed), Self.foundationObject(value)), "\(String(decoding: data, as: UTF8.self))")
    }

    @Test("integers print so Foundation reads them as exact integers")
    func integersReadExactly() throws {
        let value: JSONValue = ["ts": .int(1_732_179_000_123), "max": .int(9_007_199_254_740_992), "zero": 0, "minus": -1]
        let parsed = try JSONSerialization.jsonObject(with: Data(value.serialized().utf8)) as? [String: Any]
        #expect((parsed?["ts"] as? NSNumber)?.int64Value == 1_732_179_000_123)
        #expect((parsed?["max"] as? NSNumber)?.int64Value == 9_007_199_254_740_992)
        #expect((parsed?["zero"] as? NSNumber)?.int64Value == 0)
        #expect((parsed?["minus"] as? NSNumber)?.int64Value == -1)
    }

    /// The value as Foundation's JSON object graph.
    static func foundationObject(_ value: JSONValue) -> Any {
        switch value {
        case .null: return NSNull()
        case .bool(let bool): return bool
        case .number(let number): return number
        case .string(let string): return string
        case .array(let array): return array.map(foundationObject)
        case .object(let object):
            var dictionary: [String: Any] = [:]
            for (key, member) in object { dictionary[key] = foundationObject(member) }
            return dictionary
        }
    }

    /// Structural equality of two Foundation object graphs (numbers compared as doubles).
    static func same(_ left: Any, _ right: Any) -> Bool {
        switch (left, right) {
        case (is NSNull, is NSNull):
            return true
        case (let l as String, let r as String):
            return l == r
        case (let l as [Any], let r as [Any]):
            return l.count == r.count && zip(l, r).allSatisfy { same($0, $1) }
        case (let l as [String: Any], let r as [String: Any]):
            return l.count == r.count && l.allSatisfy { key, value in r[key].map { same(value, $0) } ?? false }
        case (let l as NSNumber, let r as NSNumber):
            return exactDouble(l) == exactDouble(r)
        default:
            return false
        }
    }

    /// Linux Foundation reads long fractions such as 21.374999999999996 as NSDecimalNumber,
    /// whose `doubleValue` is off by an ulp or two; its text is exact.
    static func exactDouble(_ number: NSNumber) -> Double? {
        if let decimal = number as? NSDecimalNumber { return Double(decimal.stringValue) }
        return number.doubleValue
    }
}
