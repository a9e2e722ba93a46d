/// A firmware version: dot-separated numbers (`0.2.0`, at most 4), optionally followed by a
/// pre-release suffix (`0.3.0-rc1`) that sorts before the plain version, as in SemVer.
public struct OTAVersion: Comparable, CustomStringConvertible {
    public let numbers: [Int]
    /// The pre-release suffix without its `-`; empty for a release.
    public let suffix: String
    public let description: String

    /// Longest version text accepted (it travels in topics, logs and the state record).
    public static let maxLength = 32

    /// Parses `text`; nil when it is not a version.
    public init?(_ text: String) {
        let utf8 = Array(text.utf8)
        guard !utf8.isEmpty, utf8.count <= OTAVersion.maxLength else { return nil }
        var numbers: [Int] = []
        var current = -1
        var index = 0
        while index < utf8.count {
            let byte = utf8[index]
            if byte >= 0x30 && byte <= 0x39 {
                let digit = Int(byte - 0x30)
                // Nine digits per part is plenty and keeps the arithmetic far from overflow.
                guard current < 100_000_000 else { return nil }
                current = current < 0 ? digit : current * 10 + digit
            } else if byte == UInt8(ascii: ".") || byte == UInt8(ascii: "-") {
                guard current >= 0 else { return nil }
                numbers.append(current)
                current = -1
                if byte == UInt8(ascii: "-") { break }
            } else {
                return nil
            }
            index += 1
        }
        var suffix = ""
        if index < utf8.count {
            // Stopped at '-': the rest is the suffix, letters, digits and dots only.
            let rest = utf8[(index + 1)...]
            guard !rest.isEmpty, rest.allSatisfy({ OTAVersion.isSuffixByte($0) }) else { return nil }
            suffix = String(decoding: rest, as: UTF8.self)
        } else {
            guard current >= 0 else { return nil }
            numbers.append(current)
        }
        guard numbers.count >= 1, numbers.count <= 4 else { return nil }
        self.numbers = numbers
        self.suffix = suffix
        description = text
    }

    private static func isSuffixByte(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
            || byte == UInt8(ascii: ".")
    }

    public static func < (lhs: OTAVersion, rhs: OTAVersion) -> Bool {
        let count = max(lhs.numbers.count, rhs.numbers.count)
        for position in 0..<count {
            let left = position < lhs.numbers.count ? lhs.numbers[position] : 0
            let right = position < rhs.numbers.count ? rhs.numbers[position] : 0
            if left != right { return left < right }
        }
        // Same numbers: a pre-release comes before the release.
        if lhs.suffix.isEmpty != rhs.suffix.isEmpty { return !lhs.suffix.isEmpty }
        return lhs.suffix < rhs.suffix
    }

    public static func == (lhs: OTAVersion, rhs: OTAVersion) -> Bool { !(lhs < rhs) && !(rhs < lhs) }
}
