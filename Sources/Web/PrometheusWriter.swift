import JSON
import ServiceKit

/// Writes metric families in the Prometheus text format 0.0.4: `# HELP`, `# TYPE`, then the
/// samples, each family once (a second family of the same name is left out, so the output
/// stays valid whatever two declarations say).
struct PrometheusWriter {
    private(set) var text = ""
    private var written: Set<String> = []
    /// Families left out because their name was already written.
    private(set) var duplicates = 0

    /// Appends one family; a counter's name gets `_total`. A family without samples is left out.
    mutating func family(_ base: String, _ kind: MetricKind, help: String, samples: [MetricSample]) {
        guard !samples.isEmpty else { return }
        let name = kind == .counter ? base + "_total" : base
        guard written.insert(name).inserted else {
            duplicates += 1
            return
        }
        text += "# HELP " + name + " " + PrometheusWriter.escape(help, quote: false) + "\n"
        text += "# TYPE " + name + " " + kind.name + "\n"
        for sample in samples {
            text += name
            if !sample.labels.isEmpty {
                text += "{"
                for (index, label) in sample.labels.enumerated() {
                    if index > 0 { text += "," }
                    text += label.name + "=\"" + PrometheusWriter.escape(label.value, quote: true) + "\""
                }
                text += "}"
            }
            text += " " + PrometheusWriter.value(sample.value) + "\n"
        }
    }

    /// A sample value as the format spells it (`NaN`, `+Inf`, `-Inf`, or a number).
    static func value(_ number: Double) -> String {
        if number.isNaN { return "NaN" }
        if number.isInfinite { return number > 0 ? "+Inf" : "-Inf" }
        return JSONValue.number(number).serialized()
    }

    /// HELP text escapes backslash and newline; a label value also the double quote.
    static func escape(_ text: String, quote: Bool) -> String {
        var out = ""
        for character in text {
            switch character {
            case "\\": out += "\\\\"
            case "\"" where quote: out += "\\\""
            case "\n": out += "\\n"
            default: out.append(character)
            }
        }
        return out
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
