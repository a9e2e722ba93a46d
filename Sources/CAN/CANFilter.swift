import Runtime

/// Accept filters for the frames a bus side publishes: a frame passes when, for any rule,
/// `frame.id & mask == rule.id & mask` (SocketCAN's own semantics). No rules: all pass.
///
/// Text form (`can.filters`, `--filter`): rules separated by commas or spaces, each
/// `ID:MASK` or a bare `ID` (mask 0x1FFFFFFF, an exact match), numbers in decimal or `0x` hex:
/// `0x7E8:0x7F8,0x18DAF100:0x1FFFFF00`.
public struct CANFilter: Equatable, Sendable {
    /// One accept rule: ids whose masked bits equal the rule's masked bits.
    public struct Rule: Equatable, Sendable {
        public let id: UInt32
        public let mask: UInt32

        /// A rule for `id` under `mask` (default: an exact match).
        public init(id: UInt32, mask: UInt32 = CANFrame.maxExtendedID) {
            self.id = id
            self.mask = mask
        }
    }

    public let rules: [Rule]

    /// A filter of `rules`; none accepts everything.
    public init(rules: [Rule] = []) { self.rules = rules }

    /// Everything passes.
    public static let acceptAll = CANFilter()

    /// Parses the text form; the error says which rule is wrong and what is allowed.
    public init(parsing text: String) throws(CANError) {
        var rules: [Rule] = []
        var word: [UInt8] = []
        func finish() throws(CANError) {
            guard !word.isEmpty else { return }
            let text = String(decoding: word, as: UTF8.self)
            word.removeAll()
            let parts = text.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count <= 2, let id = CANHex.parseNumber(String(parts[0])), id <= CANFrame.maxExtendedID else {
                throw .invalidSettings("CAN filter \"" + text + "\": use ID:MASK or ID, in decimal or 0x hex, up to 0x1FFFFFFF")
            }
            var mask = CANFrame.maxExtendedID
            if parts.count == 2 {
                guard let parsed = CANHex.parseNumber(String(parts[1])), parsed <= CANFrame.maxExtendedID else {
                    throw .invalidSettings("CAN filter \"" + text + "\": the mask must be a number up to 0x1FFFFFFF")
                }
                mask = parsed
            }
            rules.append(Rule(id: id, mask: mask))
        }
        for byte in text.utf8 {
            if byte == UInt8(ascii: ",") || byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") {
                try finish()
            } else {
                word.append(byte)
            }
        }
        try finish()
        self.rules = rules
    }

    /// Whether a frame with `id` passes.
    @inline(__always)
    public func accepts(_ id: UInt32) -> Bool {
        if rules.isEmpty { return true }
        for rule in rules where id & rule.mask == rule.id & rule.mask { return true }
        return false
    }

    /// The text form (`0x7E8:0x7F8,...`), empty when everything passes.
    public var description: String {
        var parts: [String] = []
        for rule in rules {
            parts.append("0x" + Hex.encode(rule.id, digits: rule.id > 0xFFF ? 8 : 3, .upper)
                + ":0x" + Hex.encode(rule.mask, digits: rule.mask > 0xFFF ? 8 : 3, .upper))
        }
        return parts.joined(separator: ",")
    }
}
