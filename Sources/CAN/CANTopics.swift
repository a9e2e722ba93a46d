import Runtime

/// The tunnel's MQTT topics under a base `t` (default `can`), which may itself contain `/`:
/// the id is always the last level, in decimal ASCII.
///
/// | side | publishes its bus's frames to | subscribes to (and writes to its bus) |
/// |---|---|---|
/// | server | `t/<id>` | `t/s/+` |
/// | client | `t/s/<id>` | `t/+` |
public struct CANTopics: Equatable {
    public let base: String
    public let mode: CANTunnelMode
    private let publishPrefix: String

    /// Topics for `base`; nil when `base` cannot be a topic prefix (see `MQTTTopicName`).
    public init?(base: String, mode: CANTunnelMode) {
        guard MQTTTopicName.problem(base) == nil else { return nil }
        self.base = base
        self.mode = mode
        publishPrefix = mode == .server ? base + "/" : base + "/s/"
    }

    /// Where a frame with `id` read from the local bus is published.
    public func publishTopic(for id: UInt32) -> String { publishPrefix + String(id) }

    /// The filter this side subscribes to: frames from the other side.
    public var subscription: String { mode == .server ? base + "/s/+" : base + "/+" }

    /// The id a received topic names: its last level as a decimal number up to 2^29 - 1.
    public static func id(fromTopic topic: String) -> CANTopicID {
        let bytes = Array(topic.utf8)
        var start = bytes.endIndex
        while start > bytes.startIndex && bytes[start - 1] != UInt8(ascii: "/") { start -= 1 }
        let level = bytes[start...]
        guard let id = decimal(level) else { return .invalid(.invalidID(CANMalformation.sample(level))) }
        guard id <= CANFrame.maxExtendedID else { return .invalid(.idOutOfRange(id, extended: true)) }
        return .id(id)
    }

    /// The value of 1 to 10 ASCII decimal digits, or nil (empty, a sign, another character, or
    /// more than fits in 32 bits).
    static func decimal(_ bytes: ArraySlice<UInt8>) -> UInt32? {
        guard !bytes.isEmpty, bytes.count <= 10 else { return nil }
        var value: UInt64 = 0
        for byte in bytes {
            guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + UInt64(byte - UInt8(ascii: "0"))
        }
        return value <= UInt64(UInt32.max) ? UInt32(value) : nil
    }
}

/// The id in a received topic, or why there is none.
public enum CANTopicID: Equatable {
    case id(UInt32)
    case invalid(CANMalformation)
}
