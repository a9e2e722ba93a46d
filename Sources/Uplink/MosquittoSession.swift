import CMosquitto
import Contracts
import Runtime

/// What a `MosquittoSession` reports back: libmosquitto's callbacks, as Swift values.
protocol MosquittoSessionDelegate: AnyObject {
    func sessionConnected(resultCode: Int32, reason: String)
    func sessionDisconnected(resultCode: Int32)
    func sessionPublished(messageID: Int32)
    /// A SUBACK: the SUBSCRIBE's message id and, per filter, the granted QoS (0...2) or a
    /// refusal (0x80 in MQTT 3.1.1; an MQTT 5 reason code, 0x80 and up).
    func sessionSubscribed(messageID: Int32, granted: [Int32])
    func sessionReceived(topic: String, payload: [UInt8], qos: Int32, retain: Bool)
    func sessionLogged(level: Int32, message: String)
}

/// The one place Uplink touches libmosquitto: a `struct mosquitto *` and its callbacks.
///
/// Driven from the run loop, never from mosquitto's own thread: the owner polls `socket`,
/// and calls `loopRead`, `loopWrite` and `loopMisc`.
final class MosquittoSession {
    private let handle: OpaquePointer
    /// Receives callbacks. Set right after init; the session never outlives its client.
    var delegate: MosquittoSessionDelegate?

    init(settings: MQTTSettings) throws(UplinkError) {
        _ = MosquittoLibrary.initialise()
        guard let handle = mosquitto_new(settings.clientID, settings.cleanSession, nil) else {
            throw .mosquitto(call: "mosquitto_new", code: -1, message: "out of memory or invalid client id")
        }
        self.handle = handle
        // The callbacks find us through the userdata pointer. Unretained: the client owns
        // this session and destroys the handle in deinit, so no callback outlives us.
        mosquitto_user_data_set(handle, Unmanaged.passUnretained(self).toOpaque())
        try configure(settings)
        installCallbacks()
    }

    deinit { mosquitto_destroy(handle) }

    private func check(_ call: String, _ code: Int32) throws(UplinkError) {
        guard code == Int32(MOSQ_ERR_SUCCESS.rawValue) else {
            throw .mosquitto(call: call, code: code, message: MosquittoSession.describe(code))
        }
    }

    private func configure(_ settings: MQTTSettings) throws(UplinkError) {
        let version: Int32
        switch settings.protocolVersion {
        case .v31: version = Int32(MQTT_PROTOCOL_V31)
        case .v311: version = Int32(MQTT_PROTOCOL_V311)
        case .v5: version = Int32(MQTT_PROTOCOL_V5)
        }
        try check("mosquitto_int_option(PROTOCOL_VERSION)",
                  mosquitto_int_option(handle, MOSQ_OPT_PROTOCOL_VERSION, version))
        if let username = settings.username {
            try check("mosquitto_username_pw_set", mosquitto_username_pw_set(handle, username, settings.password))
        }
        if let will = settings.will {
            let code = will.payload.withUnsafeBytes { raw in
                mosquitto_will_set(handle, will.topic, Int32(raw.count), raw.baseAddress, will.qos, will.retain)
            }
            try check("mosquitto_will_set", code)
        }
        if let tls = settings.tls {
            try check("mosquitto_tls_set", mosquitto_tls_set(
                handle, tls.caFile, tls.caDirectory, tls.certificateFile, tls.keyFile, nil))
            try check("mosquitto_tls_insecure_set", mosquitto_tls_insecure_set(handle, tls.insecure))
            if let floor = tls.minimumVersion {
                // 1 = SSL_VERIFY_PEER: the chain is always checked; nil ciphers keep the defaults.
                try check("mosquitto_tls_opts_set", mosquitto_tls_opts_set(handle, 1, floor.name, nil))
            }
        }
    }

    private func installCallbacks() {
        mosquitto_connect_callback_set(handle) { _, userdata, code in
            MosquittoSession.from(userdata)?.delegate?.sessionConnected(
                resultCode: code, reason: String(cString: mosquitto_connack_string(code)))
        }
        mosquitto_disconnect_callback_set(handle) { _, userdata, code in
            MosquittoSession.from(userdata)?.delegate?.sessionDisconnected(resultCode: code)
        }
        mosquitto_publish_callback_set(handle) { _, userdata, mid in
            MosquittoSession.from(userdata)?.delegate?.sessionPublished(messageID: mid)
        }
        // The plain callback serves MQTT 5 as well: libmosquitto hands over each SUBACK byte
        // as it came, which for MQTT 5 is the reason code (0...2 are the granted QoS there too).
        mosquitto_subscribe_callback_set(handle) { _, userdata, mid, count, granted in
            guard let session = MosquittoSession.from(userdata) else { return }
            var codes: [Int32] = []
            if let granted, count > 0 {
                codes = Array(UnsafeBufferPointer(start: granted, count: Int(count)))
            }
            session.delegate?.sessionSubscribed(messageID: mid, granted: codes)
        }
        mosquitto_message_callback_set(handle) { _, userdata, message in
            guard let session = MosquittoSession.from(userdata), let message else { return }
            let m = message.pointee
            let topic = m.topic.map { String(cString: $0) } ?? ""
            var payload: [UInt8] = []
            if let bytes = m.payload, m.payloadlen > 0 {
                payload = Array(UnsafeRawBufferPointer(start: bytes, count: Int(m.payloadlen)))
            }
            session.delegate?.sessionReceived(topic: topic, payload: payload, qos: m.qos, retain: m.retain)
        }
        setLogging(true)
    }

    /// Whether libmosquitto's log lines reach the delegate. With a log callback set,
    /// libmosquitto allocates and formats a debug line for every packet it sends (a PUBLISH
    /// included) whatever its level, which at a bus's thousands of frames a second cost more
    /// than the rest of the publish: the client turns them off while connected (unless
    /// debugging) and on again for the next connect, where a TLS failure says why.
    func setLogging(_ on: Bool) {
        guard on else {
            mosquitto_log_callback_set(handle, nil)
            return
        }
        mosquitto_log_callback_set(handle) { _, userdata, level, text in
            guard let session = MosquittoSession.from(userdata), let text else { return }
            session.delegate?.sessionLogged(level: level, message: String(cString: text))
        }
    }

    private static func from(_ userdata: UnsafeMutableRawPointer?) -> MosquittoSession? {
        guard let userdata else { return nil }
        return Unmanaged<MosquittoSession>.fromOpaque(userdata).takeUnretainedValue()
    }

    // MARK: connection

    /// Starts a non-blocking connect (first time) or reconnect. Name resolution inside it
    /// can block, which is why the client runs this on a short-lived thread.
    func connect(host: String, port: Int32, keepalive: Int32, first: Bool) -> Int32 {
        first ? mosquitto_connect_async(handle, host, port, keepalive) : mosquitto_reconnect_async(handle)
    }

    /// The socket to poll, or nil while unconnected.
    var socket: FileDescriptor? {
        let fd = mosquitto_socket(handle)
        return fd < 0 ? nil : FileDescriptor(fd)
    }

    var wantsWrite: Bool { mosquitto_want_write(handle) }

    func loopRead() -> Int32 { mosquitto_loop_read(handle, 1) }
    func loopWrite() -> Int32 { mosquitto_loop_write(handle, 1) }
    func loopMisc() -> Int32 { mosquitto_loop_misc(handle) }

    func disconnect() -> Int32 { mosquitto_disconnect(handle) }

    /// Sets the username and password for the next connect (nil username: none).
    func setCredentials(username: String?, password: String?) -> Int32 {
        mosquitto_username_pw_set(handle, username, password)
    }

    /// Connects with MQTT 5 CONNECT properties. libmosquitto takes CONNECT properties only
    /// in its blocking connect (and forgets them after it), so every attempt that needs them
    /// comes through here, on the client's connect thread. The TCP connect blocks; the TLS
    /// handshake and the CONNACK still run on the loop.
    func connect(host: String, port: Int32, keepalive: Int32,
                 userProperties: [MQTTUserProperty], sessionExpirySeconds: UInt32?) -> Int32 {
        var list: OpaquePointer? = nil
        defer { mosquitto_property_free_all(&list) }
        for property in userProperties {
            let code = mosquitto_property_add_string_pair(
                &list, Int32(MQTT_PROP_USER_PROPERTY.rawValue), property.name, property.value)
            if code != MosquittoSession.success { return code }
        }
        if let expiry = sessionExpirySeconds {
            let code = mosquitto_property_add_int32(&list, Int32(MQTT_PROP_SESSION_EXPIRY_INTERVAL.rawValue), expiry)
            if code != MosquittoSession.success { return code }
        }
        return mosquitto_connect_bind_v5(handle, host, port, keepalive, nil, list)
    }

    // MARK: messages

    /// Hands a message to libmosquitto; returns (code, message id).
    func publish(_ message: MQTTMessage) -> (code: Int32, messageID: Int32) {
        var mid: Int32 = 0
        let code = message.payload.withUnsafeBytes { raw in
            mosquitto_publish(handle, &mid, message.topic, Int32(raw.count), raw.baseAddress,
                              message.qos, message.retain)
        }
        return (code, mid)
    }

    /// Sends a SUBSCRIBE; returns (code, message id), the id its SUBACK will carry.
    func subscribe(_ filter: String, qos: Int32) -> (code: Int32, messageID: Int32) {
        var mid: Int32 = 0
        let code = mosquitto_subscribe(handle, &mid, filter, qos)
        return (code, mid)
    }

    func unsubscribe(_ filter: String) -> Int32 {
        mosquitto_unsubscribe(handle, nil, filter)
    }

    // MARK: helpers

    static let success = Int32(MOSQ_ERR_SUCCESS.rawValue)
    static let noConnection = Int32(MOSQ_ERR_NO_CONN.rawValue)

    /// libmosquitto's text for a result code.
    static func describe(_ code: Int32) -> String {
        if code == Int32(MOSQ_ERR_ERRNO.rawValue) { return Errno.current.description }
        return String(cString: mosquitto_strerror(code))
    }

    /// Whether `topic` matches the subscription `filter` (with + and # wildcards).
    static func topic(_ topic: String, matches filter: String) -> Bool {
        var result = false
        return mosquitto_topic_matches_sub(filter, topic, &result) == success && result
    }

    /// Log levels worth an error line (MOSQ_LOG_ERR, MOSQ_LOG_WARNING).
    static func isProblem(_ level: Int32) -> Bool {
        level == Int32(MOSQ_LOG_ERR) || level == Int32(MOSQ_LOG_WARNING)
    }
}
