import Foundation

/// A strict reader of the Prometheus text exposition format 0.0.4, standing in for
/// `promtool check metrics`: it refuses what Prometheus would refuse to scrape and what
/// promtool's lint flags (a family without HELP, a counter without `_total`).
public struct PrometheusExposition {
    public struct Sample: Equatable {
        public let name: String
        public let labels: [String: String]
        public let value: Double

        public init(name: String, labels: [String: String], value: Double) {
            self.name = name
            self.labels = labels
            self.value = value
        }
    }

    public struct Family {
        public var type: String?
        public var help: String?
        public var samples: [Sample] = []
    }

    public struct Malformed: Error, CustomStringConvertible {
        public let line: Int
        public let reason: String
        public var description: String { "line \(line): \(reason)" }
    }

    public private(set) var families: [String: Family] = [:]
    public private(set) var order: [String] = []

    /// Reads `text`; throws `Malformed` at the first thing Prometheus or promtool would refuse.
    public init(_ text: String) throws {
        guard text.isEmpty || text.hasSuffix("\n") else { throw Malformed(line: 0, reason: "does not end in a newline") }
        var finished: Set<String> = []
        var current: String?
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().enumerated() {
            let line = String(raw), number = index + 1
            func fail(_ reason: String) -> Malformed { Malformed(line: number, reason: reason + ": " + line) }
            if line.isEmpty { continue }
            if line.hasPrefix("#") {
                let parts = line.split(separator: " ", maxSplits: 3, omittingEmptySubsequences: false).map(String.init)
                guard parts.count >= 3, parts[1] == "HELP" || parts[1] == "TYPE" else { continue } // a plain comment
                let name = parts[2]
                guard Self.isMetricName(name) else { throw fail("bad metric name") }
                if current != name, let current { finished.insert(current) }
                guard !finished.contains(name) else { throw fail("family \(name) is not contiguous") }
                current = name
                if families[name] == nil { families[name] = Family(); order.append(name) }
                if parts[1] == "HELP" {
                    guard families[name]!.help == nil else { throw fail("second HELP") }
                    guard parts.count == 4 else { throw fail("HELP without text") }
                    families[name]!.help = try Self.unescape(parts[3], quotes: false) ?? { throw fail("bad escape in HELP") }()
                } else {
                    guard families[name]!.type == nil else { throw fail("second TYPE") }
                    guard families[name]!.samples.isEmpty else { throw fail("TYPE after samples") }
                    guard parts.count == 4, ["counter", "gauge", "histogram", "summary", "untyped"].contains(parts[3]) else {
                        throw fail("unknown type")
                    }
                    families[name]!.type = parts[3]
                }
                continue
            }
            let sample = try Self.sample(line) ?? { throw fail("not a sample") }()
            if current != sample.name, let current { finished.insert(current) }
            guard !finished.contains(sample.name) else { throw fail("family \(sample.name) is not contiguous") }
            current = sample.name
            if families[sample.name] == nil { families[sample.name] = Family(); order.append(sample.name) }
            guard !families[sample.name]!.samples.contains(where: { $0.labels == sample.labels }) else {
                throw fail("the same series twice")
            }
            families[sample.name]!.samples.append(sample)
        }
        // promtool's lint.
        for name in order {
            let family = families[name]!
            guard family.help != nil else { throw Malformed(line: 0, reason: "\(name) has no HELP") }
            if family.type == "counter" {
                guard name.hasSuffix("_total") else { throw Malformed(line: 0, reason: "counter \(name) does not end in _total") }
                guard family.samples.allSatisfy({ $0.value >= 0 || $0.value.isNaN }) else {
                    throw Malformed(line: 0, reason: "counter \(name) is negative")
                }
            }
        }
    }

    static func isMetricName(_ text: String) -> Bool {
        text.range(of: "^[a-zA-Z_:][a-zA-Z0-9_:]*$", options: .regularExpression) != nil
    }

    static func isLabelName(_ text: String) -> Bool {
        text.range(of: "^[a-zA-Z_][a-zA-Z0-9_]*$", options: .regularExpression) != nil && !text.hasPrefix("__")
    }

    /// Undoes `\\`, `\n` and (in label values) `\"`; nil for any other escape or a dangling one.
    static func unescape(_ text: String, quotes: Bool) -> String? {
        var out = "", escaping = false
        for character in text {
            if escaping {
                switch character {
                case "\\": out.append("\\")
                case "n": out.append("\n")
                case "\"" where quotes: out.append("\"")
                default: return nil
                }
                escaping = false
            } else if character == "\\" {
                escaping = true
            } else {
                out.append(character)
            }
        }
        return escaping ? nil : out
    }

    /// `name{label="value",...} value [timestamp]`, nil when anything is off.
    static func sample(_ line: String) -> Sample? {
        var rest = Substring(line)
        let nameEnd = rest.firstIndex(where: { $0 == "{" || $0 == " " }) ?? rest.endIndex
        let name = String(rest[..<nameEnd])
        guard isMetricName(name) else { return nil }
        rest = rest[nameEnd...]
        var labels: [String: String] = [:]
        if rest.first == "{" {
            rest = rest.dropFirst()
            while rest.first != "}" {
                guard let equals = rest.firstIndex(of: "=") else { return nil }
                let label = String(rest[..<equals])
                guard isLabelName(label), labels[label] == nil else { return nil }
                rest = rest[rest.index(after: equals)...]
                guard rest.first == "\"" else { return nil }
                rest = rest.dropFirst()
                var raw = "", escaped = false
                while let character = rest.first {
                    rest = rest.dropFirst()
                    if escaped { raw.append("\\"); raw.append(character); escaped = false; continue }
                    if character == "\\" { escaped = true; continue }
                    if character == "\"" { break }
                    guard character != "\n" else { return nil }
                    raw.append(character)
                }
                guard let value = unescape(raw, quotes: true) else { return nil }
                labels[label] = value
                if rest.first == "," { rest = rest.dropFirst() } else if rest.first != "}" { return nil }
            }
            rest = rest.dropFirst()
        }
        guard rest.first == " " else { return nil }
        let fields = rest.dropFirst().split(separator: " ", omittingEmptySubsequences: false)
        guard fields.count == 1 || (fields.count == 2 && Int64(fields[1]) != nil) else { return nil }
        let text = String(fields[0])
        let value: Double
        switch text {
        case "NaN": value = .nan
        case "+Inf": value = .infinity
        case "-Inf": value = -.infinity
        default:
            guard text.range(of: "^[-+]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][-+]?[0-9]+)?$", options: .regularExpression) != nil,
                  let number = Double(text) else { return nil }
            value = number
        }
        return Sample(name: name, labels: labels, value: value)
    }
}
