/// What happened to a message handed to `publish`.
public enum PublishOutcome: Equatable {
    /// Handed to the MQTT library (QoS 0: sent or queued on the socket; QoS 1/2: in flight).
    case sent
    /// Waiting in the outbox for a connection.
    case queued
    /// Dropped: QoS 0 without a connection, or refused (the reason says which).
    case dropped(String)
}

/// How full the client's outbox is: messages and bytes waiting for the broker, and the most
/// it holds of each.
public struct OutboxLevel: Equatable {
    public let waiting: Int
    public let capacity: Int
    public let bytes: Int
    public let byteCapacity: Int

    public init(waiting: Int, capacity: Int, bytes: Int, byteCapacity: Int) {
        self.waiting = waiting
        self.capacity = capacity
        self.bytes = bytes
        self.byteCapacity = byteCapacity
    }

    /// Whether a producer that can wait should publish now: the outbox is under a quarter
    /// full by count and by bytes. The rest is left for data that cannot wait (service
    /// readings, CAN frames), so a burst of such a producer never pushes older messages out.
    public var hasRoomForDeferrable: Bool {
        waiting < max(1, capacity / 4) && bytes < max(1, byteCapacity / 4)
    }
}

/// A handle for one subscription or connect handler, to remove it again.
public struct PortToken: Equatable, Hashable {
    public let rawValue: Int
    public init(_ rawValue: Int) { self.rawValue = rawValue }
}

/// The broker's answer to a subscription (its SUBACK), given again after every reconnect.
public enum SubscriptionGrant: Equatable {
    /// Live: messages arrive at up to this QoS (a broker may grant less than was asked).
    case granted(qos: Int32)
    /// Refused, so nothing will arrive (a broker ACL, an invalid filter): `code` is the SUBACK's
    /// (0x80 in MQTT 3.1.1, an MQTT 5 reason code from 0x80 up, or -1 when the client could
    /// not send the SUBSCRIBE at all), `reason` says it in words.
    case refused(code: Int32, reason: String)

    /// Whether messages flow.
    public var isGranted: Bool {
        if case .granted = self { return true }
        return false
    }
}

/// How a service reaches MQTT: publish, subscribe, and hear about (re)connects. The
/// gateway's uplink client conforms; services never see the concrete client, so they cannot
/// reconnect it, reconfigure it or read its credentials.
public protocol MessagePort: AnyObject {
    /// Publishes `payload` on `topic`. QoS 1/2 messages wait in the client's bounded outbox
    /// while disconnected; QoS 0 messages are dropped (and counted) then.
    @discardableResult
    func publish(_ topic: String, _ payload: [UInt8], qos: Int32, retain: Bool) -> PublishOutcome

    /// Publishes UTF-8 text, as `publish(_:_:qos:retain:)` does bytes.
    ///
    /// A requirement (with a default below), not only an extension method: Embedded Swift
    /// cannot run a protocol extension's generic body on an existential (`any MessagePort`,
    /// which is how every service holds its port), and compiles it to a trap. Through the
    /// witness table it is specialized for each conforming class.
    @discardableResult
    func publish(_ topic: String, text: String, qos: Int32, retain: Bool) -> PublishOutcome

    /// Calls `handler` on the loop thread for every message matching `filter` (`+` and `#`
    /// wildcards), across reconnects, until `unsubscribe`.
    func subscribe(_ filter: String, qos: Int32, _ handler: @escaping (MQTTMessage) -> Void) -> PortToken
    /// Subscribes as `subscribe(_:qos:_:)` does, and calls `acknowledged` on the loop thread
    /// with the broker's answer each time it answers the SUBSCRIBE for `filter` (after the
    /// connect and after every reconnect): how a service, or a test, knows its subscription
    /// is live instead of guessing. A refusal is logged by the client as well.
    func subscribe(_ filter: String, qos: Int32, acknowledged: ((SubscriptionGrant) -> Void)?,
                   _ handler: @escaping (MQTTMessage) -> Void) -> PortToken
    /// Removes a subscription; the broker is told once no other subscription uses its filter.
    func unsubscribe(_ token: PortToken)

    /// Whether messages go out now.
    var isConnected: Bool { get }
    /// How full the outbox is, for producers that can hold back (the command bridge).
    var outboxLevel: OutboxLevel { get }
    /// Calls `handler` after every successful (re)connect, until `removeConnectHandler`.
    func onConnect(_ handler: @escaping () -> Void) -> PortToken
    /// Removes a connect handler.
    func removeConnectHandler(_ token: PortToken)
}

extension MessagePort {
    /// The default: the text's UTF-8 bytes. Callers state `qos` and `retain`: a defaulted
    /// overload would be an extension method again (see the requirement).
    @discardableResult
    public func publish(_ topic: String, text: String, qos: Int32, retain: Bool) -> PublishOutcome {
        publish(topic, Array(text.utf8), qos: qos, retain: retain)
    }
}
