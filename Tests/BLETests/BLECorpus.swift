@testable import BLE
import Foundation

/// Tests/BLETests/Resources/ble-corpus.tsv (written by tools/ble-corpus.py from the formats'
/// layouts): one advert a line with what its layout says it holds.
struct BLECorpus {
    struct Advert {
        let label: String
        let address: BLEAddress
        let data: [UInt8]
        /// `format:`, `failure:`, `undecoded:`, `none`, `unparsable`.
        var tags: [String: String] = [:]
        /// Expected published values: numbers, or strings for text values.
        var numbers: [String: Double] = [:]
        var texts: [String: String] = [:]
    }

    /// The key every encrypted advert in the corpus uses.
    static let key = BLETestVectors.bytes("231d39c1d7cc1ab1aee224cd096db932")

    static var path: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Resources/ble-corpus.tsv").path
    }

    static func load() throws -> [Advert] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var adverts: [Advert] = []
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let columns = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard columns.count == 4, let address = BLEAddress(columns[1]) else { continue }
            var advert = Advert(label: columns[0], address: address, data: BLETestVectors.bytes(columns[2]))
            for token in columns[3].split(separator: " ").map(String.init) {
                if let colon = token.firstIndex(of: ":"), !token.contains("=") {
                    advert.tags[String(token[..<colon])] = String(token[token.index(after: colon)...])
                } else if let equals = token.firstIndex(of: "=") {
                    let key = String(token[..<equals])
                    let value = String(token[token.index(after: equals)...])
                    if value.hasPrefix("\"") {
                        advert.texts[key] = String(value.dropFirst().dropLast())
                    } else {
                        advert.numbers[key] = Double(value)
                    }
                } else {
                    advert.tags[token] = ""
                }
            }
            adverts.append(advert)
        }
        return adverts
    }

    /// What our decoders make of `advert`, as published: key -> number or text.
    static func decode(_ advert: Advert) -> (parsed: Bool, result: SensorDecoder.Result,
                                              numbers: [String: Double], texts: [String: String]) {
        guard let data = AdvertisingData.parse(advert.data[...]) else {
            return (false, SensorDecoder.Result(), [:], [:])
        }
        let result = SensorDecoder.decode(data, address: advert.address, key: key, lastCounter: nil, bindkey: key)
        var numbers: [String: Double] = [:]
        var texts: [String: String] = [:]
        if let reading = result.reading {
            for (index, name) in reading.keys.enumerated() {
                let measurement = reading.measurements[index]
                if let text = measurement.textValue { texts[name] = text } else { numbers[name] = measurement.value }
            }
        }
        return (true, result, numbers, texts)
    }

    /// Equal within rounding of the last printed digit (the corpus writes Python's repr).
    static func close(_ a: Double, _ b: Double, tolerance: Double = 1e-9) -> Bool {
        abs(a - b) <= tolerance * max(1, abs(a), abs(b))
    }
}
