/// The one rule for MQTT topics the gateway publishes on (or under): config kinds, the CAN
/// tunnel's base, Benchlab's templates and the status topics all ask it.
public enum MQTTTopicName {
    /// The longest topic MQTT allows, in bytes.
    public static let maxLength = 65535

    /// Why `topic` cannot be published on, or nil: it must be non-empty, at most 65,535
    /// bytes, without the wildcards `+` and `#` or NUL, and must not end with `/` (a
    /// level would be empty where the gateway appends one).
    public static func problem(_ topic: String) -> String? {
        if topic.isEmpty { return "an MQTT topic must not be empty" }
        if topic.utf8.count > maxLength { return "an MQTT topic must be at most 65535 bytes" }
        for byte in topic.utf8 where byte == UInt8(ascii: "+") || byte == UInt8(ascii: "#") || byte == 0 {
            return "the MQTT topic \"" + topic + "\" must not contain +, # or NUL"
        }
        if topic.utf8.last == UInt8(ascii: "/") { return "the MQTT topic \"" + topic + "\" must not end with /" }
        return nil
    }
}
