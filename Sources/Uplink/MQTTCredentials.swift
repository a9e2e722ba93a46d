/// An MQTT 5 user property: a name/value pair sent in CONNECT.
public struct MQTTUserProperty: Equatable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// Who we are for one connect attempt: what `MQTTClient.credentialsProvider` returns.
///
/// Cloud brokers take short-lived tokens as passwords (BMW's id_token, Skoda's access token
/// plus a TOTP in user properties), so the client asks for these before every connect and
/// reconnect instead of keeping them in `MQTTSettings`.
public struct MQTTCredentials: Equatable {
    public var username: String?
    /// Sent to the broker only; never logged or shown.
    public var password: String?
    /// Sent after `MQTTSettings.userProperties` (MQTT 5 only; may hold secrets: never logged).
    public var userProperties: [MQTTUserProperty]

    public init(username: String? = nil, password: String? = nil, userProperties: [MQTTUserProperty] = []) {
        self.username = username
        self.password = password
        self.userProperties = userProperties
    }
}
