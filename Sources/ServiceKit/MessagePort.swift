/// What happened to a message handed to `publish`.
public enum PublishOutcome: Equatable {
    /// Handed to the MQTT library (QoS 0: sent or queued on the socket; QoS 1/2: in flight).
    case sent
    /// Waiting in the outbox for a connection.
    case queued
    /// Dropped: QoS 0 without a connection, or refused (the reason says which).
    case dropped(String)
}

/// A handle for one subscription or connect handler, to remove it again.
public struct PortToken: Equatable, Hashable {
    public let rawValue: Int
    public init(_ rawValue: Int) { self.rawValue = rawValue }
}

/// How a service reaches MQTT: publish, subscribe, and hear about (re)connects. The
/// gateway's uplink client conforms; services never see the concrete client, so they cannot
/// reconnect it, reconfigure it or read its credentials.
public protocol MessagePort: AnyObject {
    /// Publishes `payload` on `topic`. QoS 1/2 messages wait in the client's bounded outbox
    /// while disconnected; QoS 0 messages are dropped (and counted) then.
    @discardableResult
    func publish(_ topic: String, _ payload: [UInt8], qos: Int32, retain: Bool) -> PublishOutcome

    /// Calls `handler` on the loop thread for every message matching `filter` (`+` and `#`
    /// wildcards), across reconnects, until `unsubscribe`.
    func subscribe(_ filter: String, qos: Int32, _ handler: @escaping (MQTTMessage) -> Void) -> PortToken
    /// Removes a subscription; the broker is told once no other subscription uses its filter.
    func unsubscribe(_ token: PortToken)

    /// Whether messages go out now.
    var isConnected: Bool { get }
    /// Calls `handler` after every successful (re)connect, until `removeConnectHandler`.
    func onConnect(_ handler: @escaping () -> Void) -> PortToken
    /// Removes a connect handler.
    func removeConnectHandler(_ token: PortToken)
}

extension MessagePort {
    /// Publishes UTF-8 text. Only for a concrete port type (`MQTTClient`): called through
    /// `any MessagePort`, this generic extension compiles to a trap in the Embedded firmware
    /// (seen as SIGILL on every MQTT command), so services publish `Array(text.utf8)`.
    @discardableResult
    public func publish(_ topic: String, text: String, qos: Int32 = 0, retain: Bool = false) -> PublishOutcome {
        publish(topic, Array(text.utf8), qos: qos, retain: retain)
    }
}
