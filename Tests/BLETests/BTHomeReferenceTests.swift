@testable import BLE
import Foundation
import Testing

/// Our BTHome decoders against Home Assistant's own (bthome-ble, run by
/// tools/bthome-reference.py) on every BTHome advert of the corpus: what it publishes, we
/// publish with the same value, and the other way round.
@Suite("BTHome against bthome-ble, Home Assistant's decoder")
struct BTHomeReferenceTests {
    /// bthome-ble's key (suffix `_1`, `_2`, ... on every repeat) and unit as our published key
    /// (no suffix on the first, `_2`, ... after; see docs/ble-sensors.md for the names that differ).
    static func ourKey(_ reference: String, unit: String?) -> String {
        var base = reference
        var suffix = ""
        if let underscore = reference.lastIndex(of: "_"), let number = Int(reference[reference.index(after: underscore)...]) {
            base = String(reference[..<underscore])
            suffix = number <= 1 ? "" : "_" + String(number)
        }
        switch (base, unit) {
        case ("carbon_dioxide", _): base = "co2"
        case ("volatile_organic_compounds", _): base = "tvoc"
        case ("mass", "lb"): base = "mass_lb"
        case ("distance", "m"): base = "distance_m"
        case ("volume", "mL"): base = "volume_ml"
        case ("binary:battery", _): base = "battery_low"
        case ("binary:power", _): base = "power_on"
        case ("binary:moisture", _): base = "moisture_detected"
        case ("binary:gas", _): base = "gas_detected"
        default:
            if let colon = base.firstIndex(of: ":") { base = String(base[base.index(after: colon)...]) }
        }
        return base + suffix
    }

    /// Values we publish that bthome-ble keeps elsewhere (event properties, device info) or
    /// does not fire (an event code of "none" or one it does not know).
    static func onlyOurs(_ key: String, text: String?) -> Bool {
        key.hasPrefix("dimmer_steps") || key.hasPrefix("firmware_version") || key.hasPrefix("device_type_id")
            || text == "none" || text == "unknown"
    }

    @Test("every value bthome-ble publishes for the corpus's BTHome adverts, we publish alike, and nothing more")
    func agreesWithBTHomeBLE() throws {
        let corpus = Dictionary(uniqueKeysWithValues: try BLECorpus.load().map { ($0.label, $0) })
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../tools/bthome-reference.py").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, BLECorpus.path]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let bytes = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)

        var adverts = 0, compared = 0, agreed = 0
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let label = try #require(object["label"] as? String)
            let advert = try #require(corpus[label])
            adverts += 1
            let ours = BLECorpus.decode(advert)
            var seen = Set<String>()
            for (key, pair) in object["values"] as? [String: [Any]] ?? [:] {
                let name = BTHomeReferenceTests.ourKey(key, unit: pair[1] as? String)
                seen.insert(name)
                compared += 1
                if let text = pair[0] as? String {
                    if ours.texts[name] == text { agreed += 1 } else { Issue.record("\(label): \(name) = \(ours.texts[name] ?? "nil"), bthome-ble \(text)") }
                } else if let number = (pair[0] as? NSNumber)?.doubleValue {
                    // bthome-ble rounds to the factor's decimals (0x58's 0.35 steps to one decimal).
                    let tolerance = label.hasPrefix("bthome 58") ? 0.051 : 1e-9
                    if let value = ours.numbers[name], BLECorpus.close(value, number, tolerance: tolerance) {
                        agreed += 1
                    } else {
                        Issue.record("\(label): \(name) = \(ours.numbers[name].map { String($0) } ?? "nil"), bthome-ble \(number)")
                    }
                }
            }
            for (key, _) in ours.numbers where !seen.contains(key) && !BTHomeReferenceTests.onlyOurs(key, text: nil) {
                Issue.record("\(label): we publish \(key), bthome-ble does not")
            }
            for (key, text) in ours.texts where !seen.contains(key) && !BTHomeReferenceTests.onlyOurs(key, text: text) {
                Issue.record("\(label): we publish \(key) = \(text), bthome-ble does not")
            }
        }
        print("bthome-ble comparison: \(adverts) adverts, \(agreed) of \(compared) reference values agree")
        #expect(adverts >= 150)
        #expect(compared > 0 && agreed == compared)
    }
}
