/// An MQTT message: one that arrived from the broker, or one waiting in the outbox for it.
public struct MQTTMessage: Equatable {
    public let topic: String
    public let payload: [UInt8]
    public let qos: Int32
    public let retain: Bool

    public init(topic: String, payload: [UInt8], qos: Int32, retain: Bool) {
        self.topic = topic
        self.payload = payload
        self.qos = qos
        self.retain = retain
    }

    /// The payload as UTF-8 text (invalid sequences become U+FFFD).
    public var text: String { String(decoding: payload, as: UTF8.self) }
}
