import JSON

/// The tunnel's counters, shown in its block of the `state` heartbeat and by `can status`.
/// Kept on the loop thread; the ring's drop count is read from the ring itself.
public struct CANStats: Equatable {
    // Bus -> MQTT.
    /// Frames read from the local bus (after the ring).
    public var framesFromBus = 0
    /// Of those, published to MQTT.
    public var published = 0
    /// Rejected by the accept filters.
    public var filtered = 0
    /// Not published because nothing changed ("only on change").
    public var unchanged = 0
    /// Could not be published (no broker connection: QoS 0 is at most once).
    public var publishFailed = 0

    // MQTT -> bus.
    /// Messages received on the subscribed topics.
    public var messagesFromMQTT = 0
    /// Frames written to the local bus.
    public var framesToBus = 0
    /// Frames not written: the bus's transmit queue was full, the bus was closed, or the
    /// tunnel is listen-only.
    public var transmitDropped = 0

    /// Inputs dropped as malformed, per kind (`CANMalformationKind` order).
    public var malformed = [Int](repeating: 0, count: CANMalformationKind.allCases.count)
    /// Error frames or error states the bus reported.
    public var busErrors = 0
    /// Commands or frames the bus refused (an SLCAN adapter answered BEL).
    public var adapterErrors = 0
    /// Times the bus was opened again after it closed or failed.
    public var reopens = 0

    /// All counters at zero.
    public init() {}

    /// All malformed inputs, every kind together.
    public var malformedTotal: Int { malformed.reduce(0, +) }

    /// Counts one malformed input.
    public mutating func count(_ malformation: CANMalformation) {
        malformed[malformation.kind.rawValue] += 1
    }

    /// The malformed count of one kind.
    public func malformed(_ kind: CANMalformationKind) -> Int { malformed[kind.rawValue] }

    /// The stats block; the ring's numbers come from its owner.
    public func json(ringCapacity: Int, ringDepth: Int, ringDropped: Int) -> JSONValue {
        var malformedObject = JSONObject()
        for kind in CANMalformationKind.allCases { malformedObject[kind.name] = .int(malformed[kind.rawValue]) }
        malformedObject["total"] = .int(malformedTotal)
        return [
            "bus_to_mqtt": [
                "frames_in": .int(framesFromBus), "published": .int(published), "filtered": .int(filtered),
                "unchanged": .int(unchanged), "publish_failed": .int(publishFailed),
            ],
            "mqtt_to_bus": [
                "messages_in": .int(messagesFromMQTT), "frames_out": .int(framesToBus),
                "dropped": .int(transmitDropped),
            ],
            "ring": ["capacity": .int(ringCapacity), "depth": .int(ringDepth), "dropped": .int(ringDropped)],
            "malformed": .object(malformedObject),
            "bus_errors": .int(busErrors),
            "adapter_errors": .int(adapterErrors),
            "reopens": .int(reopens),
        ]
    }
}
