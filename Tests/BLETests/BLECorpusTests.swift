@testable import BLE
import Foundation
import Testing

@Suite("The BLE advert corpus: every BTHome object id and every family, against the layouts")
struct BLECorpusTests {
    /// Why `advert` does not decode as its layout says; nil when it does.
    private func mismatch(_ advert: BLECorpus.Advert) -> String? {
        let decoded = BLECorpus.decode(advert)
        if advert.tags["unparsable"] != nil { return decoded.parsed ? "parsed, expected unparsable" : nil }
        guard decoded.parsed else { return "advertising data did not parse" }
        if let failure = advert.tags["failure"] {
            let got = decoded.result.failure.map { "\($0)" }
            return got == failure ? nil : "failure \(got ?? "none"), expected \(failure)"
        }
        if advert.tags["none"] != nil {
            return decoded.result.reading == nil && decoded.result.failure == nil ? nil : "decoded, expected nothing"
        }
        guard let reading = decoded.result.reading else { return "no reading (failure \(String(describing: decoded.result.failure)))" }
        if reading.format.name != advert.tags["format"] { return "format \(reading.format.name)" }
        let undecoded = reading.undecoded.map { $0.map { String(format: "%02x", $0) }.joined() }
        if undecoded != advert.tags["undecoded"] { return "undecoded \(undecoded ?? "nil")" }
        if Set(decoded.numbers.keys) != Set(advert.numbers.keys) || decoded.texts != advert.texts {
            return "values \(decoded.numbers) \(decoded.texts), expected \(advert.numbers) \(advert.texts)"
        }
        for (key, expected) in advert.numbers where !BLECorpus.close(decoded.numbers[key]!, expected) {
            return "\(key) = \(decoded.numbers[key]!), expected \(expected)"
        }
        return nil
    }

    @Test("every advert of the corpus decodes to exactly the values its layout gives")
    func corpusMatchesLayouts() throws {
        let corpus = try BLECorpus.load()
        #expect(corpus.count >= 150)
        var passed = 0
        for advert in corpus {
            if let problem = mismatch(advert) {
                Issue.record("\(advert.label): \(problem)")
            } else {
                passed += 1
            }
        }
        print("BLE corpus: \(passed) of \(corpus.count) adverts pass")
        #expect(passed == corpus.count)
    }

    @Test("the corpus spans every BTHome object id and every decoder's format")
    func corpusCoverage() throws {
        let corpus = try BLECorpus.load()
        let labels = Set(corpus.map { String($0.label.prefix(9)) })
        for id in 0...255 where BTHomeObject.lookup(UInt8(id)) != nil {
            #expect(labels.contains(String(format: "bthome %02x", id)), "object id \(String(format: "0x%02X", id))")
        }
        let formats = Set(corpus.compactMap { $0.tags["format"] })
        let all: [SensorFormat] = [.bthome, .bthomeEncrypted, .atc1441, .pvvx, .ruuvi5, .bthomeV1, .bthomeV1Encrypted,
                                   .miBeacon, .miBeaconEncrypted, .qingping, .govee, .inkbird, .switchBot, .ruuvi3,
                                   .bParasite, .mopeka, .aranet, .thermoPro, .thermoBeacon, .tilt,
                                   .pvvxEncrypted, .atc1441Encrypted]
        for format in all { #expect(formats.contains(format.name), "format \(format.name)") }
        #expect(corpus.contains { $0.tags["unparsable"] != nil })
        #expect(corpus.contains { $0.tags["undecoded"] != nil })
        #expect(corpus.contains { $0.tags["failure"] == "malformed" })
    }
}
