import Runtime

/// The gateway-wide config keys: the node, logging, the local broker and the command doors.
/// Each feature module declares its own keys beside its code (`CANConfigKeys`, ...), and the
/// service catalogue lists them. Environment names are the seeds' own, so an existing `.env`
/// file of the Python tools configures the gateway unchanged.
///
/// None of them is remote-safe (`ConfigKey.remoteSafe()`): the node's name is its identity,
/// the log settings could silence the warnings of refused commands, and the rest configure
/// the broker connection, outgoing HTTPS and the command doors. Over MQTT they need
/// `cmnd.allow_privileged`.
public enum StandardKeys {
    // MARK: node and logging

    public static let nodeName = ConfigKey<String>.identifier(
        "node.name", default: "switchyard",
        help: "This gateway's name, in its MQTT topics (switchyard/<name>/...) and Home Assistant ids; a saved change moves them live.")
    public static let logLevel = ConfigKey<LogLevel>.choice(
        "log.level", default: .info,
        help: "The least severe log messages that are written.", environment: "LOG_LEVEL")
    public static let logFormat = ConfigKey<LogFormat>.choice(
        "log.format", default: .plain,
        help: "Whether log lines are plain text or one JSON object each.")

    // MARK: local MQTT broker

    public static let mqttHost = ConfigKey<String>.host(
        "mqtt.host", default: "localhost",
        help: "Host name or IP address of the MQTT broker to publish to.", environment: "MQTT_BROKER")
    public static let mqttPort = ConfigKey<Int>.port(
        "mqtt.port", default: 1883,
        help: "TCP port of the MQTT broker.", environment: "MQTT_PORT")
    public static let mqttUsername = ConfigKey<String>.text(
        "mqtt.username",
        help: "User name for the MQTT broker; empty to connect without logging in.",
        environment: "MQTT_USERNAME")
    public static let mqttPassword = ConfigKey<String>.text(
        "mqtt.password",
        help: "Password for the MQTT broker (stored, never shown).", secret: true,
        environment: "MQTT_PASSWORD")
    public static let mqttProtocol = ConfigKey<MQTTProtocolVersion>.choice(
        "mqtt.protocol", default: .v311,
        help: "MQTT protocol version to speak to the broker.", environment: "MQTT_PROTOCOL")
    public static let mqttQoS = ConfigKey<Int>.integer(
        "mqtt.qos", in: 0...2, default: 0,
        help: "Quality of service for published messages (0, 1 or 2).", environment: "MQTT_QOS")
    public static let mqttTransport = ConfigKey<MQTTTransport>.choice(
        "mqtt.transport", default: .tcp,
        help: "How to reach the broker: tcp (libmosquitto has no WebSockets client; use the broker's MQTT port).", environment: "MQTT_TRANSPORT")
    public static let mqttWebSocketPath = ConfigKey<String>.text(
        "mqtt.ws_path",
        help: "HTTP path of the broker's WebSocket endpoint when the transport is websockets.",
        environment: "MQTT_PATH")
    public static let mqttKeepAliveSeconds = ConfigKey<Int>.integer(
        "mqtt.keepalive_s", in: 5...65535, default: 60,
        help: "Seconds between keep-alive pings when nothing else is sent.")
    public static let mqttClientID = ConfigKey<String>.text(
        "mqtt.client_id",
        help: "MQTT client identifier; empty to derive it from the node name.")
    public static let mqttDebug = ConfigKey<Bool>.flag(
        "mqtt.debug", default: false,
        help: "Log every MQTT packet, keep-alives included, for troubleshooting.", environment: "MQTT_DEBUG")
    public static let mqttTLSCAFile = ConfigKey<String>.file(
        "mqtt.tls.ca_file",
        help: "PEM file of the certificate authority that signed the broker's certificate; empty for no TLS.")
    public static let mqttTLSCADirectory = ConfigKey<String>.directory(
        "mqtt.tls.ca_dir",
        help: "Directory of trusted certificate authorities, as an alternative to the CA file.")
    public static let mqttTLSCertificateFile = ConfigKey<String>.file(
        "mqtt.tls.cert_file",
        help: "PEM client certificate, when the broker wants one.")
    // The key file's path is not a secret (the file is); only its contents would be.
    public static let mqttTLSKeyFile = ConfigKey<String>.file(
        "mqtt.tls.key_file",
        help: "PEM private key of the client certificate.")
    public static let mqttTLSInsecure = ConfigKey<Bool>.flag(
        "mqtt.tls.insecure", default: false,
        help: "Accept a broker certificate whose host name does not match (testing only).")
    public static let mqttOutboxMaxMessages = ConfigKey<Int>.integer(
        "mqtt.outbox.max_messages", in: 1...1_000_000, default: 1000,
        help: "Messages kept while the broker is unreachable; the oldest are dropped beyond this.")
    public static let mqttOutboxMaxBytes = ConfigKey<Int>.integer(
        "mqtt.outbox.max_bytes", in: 1024...(1 << 30), default: 1_048_576,
        help: "Bytes of messages kept while the broker is unreachable; the oldest are dropped beyond this.")
    public static let mqttOutboxSpool = ConfigKey<Bool>.flag(
        "mqtt.outbox.spool", default: true,
        help: "Save undelivered messages to the data directory at shutdown and send them after the next start.")
    public static let mqttOutboxSpoolInterval = ConfigKey<Interval>.duration(
        "mqtt.outbox.spool_s", seconds: 1...3600, default: 10,
        help: "While messages wait for the broker, save them this often (only when they changed), so a power cut loses at most this much.")

    // MARK: outgoing HTTP (the cloud services' one HTTPClient)

    public static let httpCADirectory = ConfigKey<String>.directory(
        "http.ca_dir", default: "/etc/ssl/certs",
        help: "Directory of trusted certificate authorities for HTTPS requests (OpenSSL hashed layout).").appliesAtRestart()
    public static let httpCAFile = ConfigKey<String>.file(
        "http.ca_file",
        help: "PEM bundle of extra certificate authorities trusted for HTTPS; empty for none.").appliesAtRestart()
    public static let httpMaxInFlight = ConfigKey<Int>.integer(
        "http.max_in_flight", in: 1...256, default: 16,
        help: "HTTP requests running at once; one more is refused (the service retries later).").appliesAtRestart()
    public static let httpMaxResponseBytes = ConfigKey<Int>.integer(
        "http.max_response_bytes", in: 1024...(64 << 20), default: 1_048_576,
        help: "Largest HTTP response accepted, headers included; a larger one fails the request.").appliesAtRestart()

    // MARK: console and RPC

    public static let rpcBind = ConfigKey<String>.ipAddress(
        "rpc.bind", default: "127.0.0.1", ipv6: false,
        help: "Address the RPC port listens on; 0.0.0.0 opens it to the network.")
    public static let rpcPort = ConfigKey<Int>.port(
        "rpc.port", default: 4567,
        help: "TCP port of the RPC command interface.")
    public static let rpcAllowLocal = ConfigKey<Bool>.flag(
        "rpc.allow_local", default: false,
        help: "Let root and the gateway's own user (and rpc.allow_uid) use RPC from this machine without the token "
            + "(only while rpc.bind is a loopback address); other local accounts still need it.")
    public static let rpcAllowUID = ConfigKey<Int>.integer(
        "rpc.allow_uid", in: -1...2_147_483_647, default: -1,
        help: "One more local user (uid) that rpc.allow_local lets in without the token; -1 for none.")
    public static let commandsAllowPrivileged = ConfigKey<Bool>.flag(
        "cmnd.allow_privileged", default: false,
        help: "Let MQTT cmnd topics run every command and change every key, not only those declared safe remotely (anyone on the broker could).")
    public static let consoleDevice = ConfigKey<String>.text(
        "console.device", default: "-",
        help: "Serial device of the command console, - for standard input, or none for no console.").appliesAtRestart()
    public static let consoleBaud = ConfigKey<Int>.integer(
        "console.baud", in: 1200...4_000_000, default: 115_200,
        help: "Baud rate of the console's serial device.").appliesAtRestart()

    /// Every key above, for `ConfigSchema.register`.
    public static var all: [AnyConfigKey] {
        [
            nodeName.any, logLevel.any, logFormat.any,
            mqttHost.any, mqttPort.any, mqttUsername.any, mqttPassword.any, mqttProtocol.any, mqttQoS.any,
            mqttTransport.any, mqttWebSocketPath.any, mqttKeepAliveSeconds.any, mqttClientID.any, mqttDebug.any,
            mqttTLSCAFile.any, mqttTLSCADirectory.any, mqttTLSCertificateFile.any, mqttTLSKeyFile.any,
            mqttTLSInsecure.any, mqttOutboxMaxMessages.any, mqttOutboxMaxBytes.any, mqttOutboxSpool.any,
            mqttOutboxSpoolInterval.any,
            httpCADirectory.any, httpCAFile.any, httpMaxInFlight.any, httpMaxResponseBytes.any,
            rpcBind.any, rpcPort.any, rpcAllowLocal.any, rpcAllowUID.any, commandsAllowPrivileged.any,
            consoleDevice.any, consoleBaud.any,
        ]
    }

    /// The rules over several of the keys above (see `ConfigCheck`).
    public static var checks: [ConfigCheck] {
        [
            ConfigCheck([mqttTLSCertificateFile.any, mqttTLSKeyFile.any]) { store in
                store.string(mqttTLSCertificateFile).isEmpty == store.string(mqttTLSKeyFile).isEmpty ? nil
                    : "a client certificate and its key go together: set both or neither"
            },
            // TLS comes on by itself on the TLS ports (as the seeds do) and with any TLS file.
            ConfigCheck([mqttPort.any, mqttTLSCAFile.any, mqttTLSCADirectory.any]) { store in
                let port = store.integer(mqttPort)
                let tls = port == 8883 || port == 8884 || port == 443 || !store.string(mqttTLSCertificateFile).isEmpty
                guard tls, store.string(mqttTLSCAFile).isEmpty, store.string(mqttTLSCADirectory).isEmpty,
                      ConfigKind.path(directory: true).pathProblem(StandardKeys.systemCADirectory) != nil else { return nil }
                return "TLS is on (port " + String(port) + ") but there is no certificate authority to check the broker "
                    + "with: set mqtt.tls.ca_file or mqtt.tls.ca_dir (" + StandardKeys.systemCADirectory + " is missing)"
            },
            ConfigCheck([rpcAllowLocal.any, rpcBind.any]) { store in
                guard store.boolean(rpcAllowLocal), !store.string(rpcBind).hasPrefix("127.") else { return nil }
                return "rpc.allow_local works only while rpc.bind is a loopback address (127.0.0.1)"
            },
        ]
    }

    /// Where the system's certificate authorities live when no CA is configured.
    public static let systemCADirectory = "/etc/ssl/certs"
}
