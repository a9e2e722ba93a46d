/// The gateway-wide config keys. Feature modules declare their own keys next to their code
/// and register them beside these. Environment names are the seeds' own, so an existing
/// `.env` file of the Python tools configures the gateway unchanged.
public enum StandardKeys {
    // MARK: node and logging

    public static let nodeName = ConfigKey(
        "node.name", .identifier, default: "switchyard",
        help: "This gateway's name, used in its MQTT topics (switchyard/<name>/...).")
    public static let logLevel = ConfigKey(
        "log.level", .choice(["debug", "info", "warning", "error", "critical"]), default: "info",
        help: "The least severe log messages that are written.", environment: "LOG_LEVEL")
    public static let logFormat = ConfigKey(
        "log.format", .choice(["plain", "json"]), default: "plain",
        help: "Whether log lines are plain text or one JSON object each.")

    // MARK: local MQTT broker

    public static let mqttHost = ConfigKey(
        "mqtt.host", .string, default: "localhost",
        help: "Host name or IP address of the MQTT broker to publish to.", environment: "MQTT_BROKER")
    public static let mqttPort = ConfigKey(
        "mqtt.port", .integer(min: 1, max: 65535), default: "1883",
        help: "TCP port of the MQTT broker.", environment: "MQTT_PORT")
    public static let mqttUsername = ConfigKey(
        "mqtt.username", .string, default: "",
        help: "User name for the MQTT broker; empty to connect without logging in.",
        environment: "MQTT_USERNAME")
    public static let mqttPassword = ConfigKey(
        "mqtt.password", .string, default: "",
        help: "Password for the MQTT broker (stored, never shown).", secret: true,
        environment: "MQTT_PASSWORD")
    public static let mqttProtocol = ConfigKey(
        "mqtt.protocol", .choice(["MQTTv311", "MQTTv5", "MQTTv31"]), default: "MQTTv311",
        help: "MQTT protocol version to speak to the broker.", environment: "MQTT_PROTOCOL")
    public static let mqttQoS = ConfigKey(
        "mqtt.qos", .integer(min: 0, max: 2), default: "0",
        help: "Quality of service for published messages (0, 1 or 2).", environment: "MQTT_QOS")
    public static let mqttTransport = ConfigKey(
        "mqtt.transport", .choice(["tcp", "websockets"]), default: "tcp",
        help: "Whether to reach the broker over plain TCP or WebSockets.", environment: "MQTT_TRANSPORT")
    public static let mqttWebSocketPath = ConfigKey(
        "mqtt.ws_path", .string, default: "",
        help: "HTTP path of the broker's WebSocket endpoint when the transport is websockets.",
        environment: "MQTT_PATH")
    public static let mqttKeepAliveSeconds = ConfigKey(
        "mqtt.keepalive_s", .integer(min: 5, max: 65535), default: "60",
        help: "Seconds between keep-alive pings when nothing else is sent.")
    public static let mqttClientID = ConfigKey(
        "mqtt.client_id", .string, default: "",
        help: "MQTT client identifier; empty to derive it from the node name.")
    public static let mqttDebug = ConfigKey(
        "mqtt.debug", .boolean, default: "false",
        help: "Log every MQTT packet, keep-alives included, for troubleshooting.", environment: "MQTT_DEBUG")
    public static let mqttTLSCAFile = ConfigKey(
        "mqtt.tls.ca_file", .string, default: "",
        help: "PEM file of the certificate authority that signed the broker's certificate; empty for no TLS.")
    public static let mqttTLSCADirectory = ConfigKey(
        "mqtt.tls.ca_dir", .string, default: "",
        help: "Directory of trusted certificate authorities, as an alternative to the CA file.")
    public static let mqttTLSCertificateFile = ConfigKey(
        "mqtt.tls.cert_file", .string, default: "",
        help: "PEM client certificate, when the broker wants one.")
    // The key file's path is not a secret (the file is); only its contents would be.
    public static let mqttTLSKeyFile = ConfigKey(
        "mqtt.tls.key_file", .string, default: "",
        help: "PEM private key of the client certificate.")
    public static let mqttTLSInsecure = ConfigKey(
        "mqtt.tls.insecure", .boolean, default: "false",
        help: "Accept a broker certificate whose host name does not match (testing only).")
    public static let mqttOutboxMaxMessages = ConfigKey(
        "mqtt.outbox.max_messages", .integer(min: 1, max: 1_000_000), default: "1000",
        help: "Messages kept while the broker is unreachable; the oldest are dropped beyond this.")
    public static let mqttOutboxMaxBytes = ConfigKey(
        "mqtt.outbox.max_bytes", .integer(min: 1024, max: 1 << 30), default: "1048576",
        help: "Bytes of messages kept while the broker is unreachable; the oldest are dropped beyond this.")
    public static let mqttOutboxSpool = ConfigKey(
        "mqtt.outbox.spool", .boolean, default: "true",
        help: "Save undelivered messages to the data directory at shutdown and send them after the next start.")

    // MARK: console and RPC

    public static let rpcBind = ConfigKey(
        "rpc.bind", .string, default: "127.0.0.1",
        help: "Address the RPC port listens on; 0.0.0.0 opens it to the network.")
    public static let rpcPort = ConfigKey(
        "rpc.port", .integer(min: 1, max: 65535), default: "4567",
        help: "TCP port of the RPC command interface.")
    public static let consoleDevice = ConfigKey(
        "console.device", .string, default: "-",
        help: "Serial device of the command console, - for standard input, or none for no console.")
    public static let consoleBaud = ConfigKey(
        "console.baud", .integer(min: 1200, max: 4_000_000), default: "115200",
        help: "Baud rate of the console's serial device.")

    // MARK: feature schedules and devices

    public static let bleScanSeconds = ConfigKey(
        "ble.scan_s", .integer(min: 1, max: 3600), default: "5",
        help: "Seconds between Bluetooth scans.")
    public static let iotSubmitSeconds = ConfigKey(
        "iot.submit_s", .integer(min: 1, max: 86400), default: "30",
        help: "Seconds between batches of sensor readings sent to the IoT API.")
    public static let iotCacheClearSeconds = ConfigKey(
        "iot.cache_clear_s", .integer(min: 1, max: 86400), default: "180",
        help: "Seconds after which cached sensor readings are cleared.")
    public static let canInterface = ConfigKey(
        "can.iface", .identifier, default: "can0",
        help: "Network interface of the CAN bus, e.g. can0 or vcan0.")
    public static let benchlabPollSeconds = ConfigKey(
        "benchlab.poll_s", .integer(min: 1, max: 3600), default: "1",
        help: "Seconds between readings of each Benchlab device.", environment: "MQTT_POLL_RATE")

    // MARK: BMW CarData

    public static let bmwClientID = ConfigKey(
        "bmw.client_id", .string, default: "",
        help: "Client ID of your BMW CarData application, from the BMW portal.", environment: "BMW_CLIENT_ID")
    public static let bmwVIN = ConfigKey(
        "bmw.vin", .string, default: "",
        help: "Vehicle identification number of the car to stream.", environment: "BMW_VIN")
    public static let bmwMQTTHost = ConfigKey(
        "bmw.mqtt_host", .string, default: "customer.streaming-cardata.bmwgroup.com",
        help: "Host name of BMW's CarData streaming broker.", environment: "BMW_MQTT_HOST")
    public static let bmwMQTTPort = ConfigKey(
        "bmw.mqtt_port", .integer(min: 1, max: 65535), default: "9000",
        help: "TCP port of BMW's CarData streaming broker.", environment: "BMW_MQTT_PORT")
    public static let bmwTokenFile = ConfigKey(
        "bmw.token_file", .string, default: "bmw_tokens.json",
        help: "File holding the BMW login tokens; a relative path is inside the data directory.",
        environment: "BMW_TOKEN_FILE")

    /// Every key above, for `ConfigSchema.register`.
    public static var all: [ConfigKey] {
        [
            nodeName, logLevel, logFormat,
            mqttHost, mqttPort, mqttUsername, mqttPassword, mqttProtocol, mqttQoS, mqttTransport,
            mqttWebSocketPath, mqttKeepAliveSeconds, mqttClientID, mqttDebug,
            mqttTLSCAFile, mqttTLSCADirectory, mqttTLSCertificateFile, mqttTLSKeyFile, mqttTLSInsecure,
            mqttOutboxMaxMessages, mqttOutboxMaxBytes, mqttOutboxSpool,
            rpcBind, rpcPort, consoleDevice, consoleBaud,
            bleScanSeconds, iotSubmitSeconds, iotCacheClearSeconds, canInterface, benchlabPollSeconds,
            bmwClientID, bmwVIN, bmwMQTTHost, bmwMQTTPort, bmwTokenFile,
        ]
    }
}
