import CLI
import CSupport
import Crypto
import Runtime
import Uplink

/// The broker an operator's command (`ota push`, `fleet status|rollout`) talks to, from
/// `--broker HOST[:PORT]`, `--port`, `--username` (password from MQTT_PASSWORD, never an
/// argument: arguments show in `ps`) and `--client-id`. One parser, so the commands agree.
struct OTABroker {
    let host: String
    let port: Int32
    let username: String?
    let clientID: String

    /// `clientPrefix` names the command in a generated client id (`switchyard-fleet-1a2b...`).
    init(_ parsed: Arguments, clientPrefix: String) throws(UsageError) {
        var host = parsed.value("--broker") ?? "localhost"
        var port: Int32 = 1883
        if let colon = host.lastIndex(of: ":") {
            guard let number = Int32(host[host.index(after: colon)...]), number >= 1 && number <= 65535 else {
                throw UsageError("--broker \(host): HOST or HOST:PORT")
            }
            port = number
            host = String(host[..<colon])
        }
        if let text = parsed.value("--port") {
            guard let number = Int32(text), number >= 1 && number <= 65535 else { throw UsageError("--port \(text): 1 to 65535") }
            port = number
        }
        self.host = host
        self.port = port
        username = parsed.value("--username")
        clientID = parsed.value("--client-id") ?? clientPrefix + OTABroker.randomSuffix()
    }

    /// A clean-session client on `loop`. Its outbox holds a window of chunks and the manifest:
    /// the senders bound what is in flight, so this is never the limit.
    func client(named name: String, on loop: EventLoop) throws(UplinkError) -> MQTTClient {
        var settings = MQTTSettings(host: host, port: port, clientID: clientID)
        settings.cleanSession = true
        settings.outboxMaxMessages = 256
        settings.outboxMaxBytes = 64 << 20
        if let username, !username.isEmpty {
            settings.username = username
            if let password = getenv("MQTT_PASSWORD") { settings.password = String(cString: password) }
        }
        if MQTTSettings.isTLSPort(port) { settings.tls = MQTTTLSSettings(caDirectory: MQTTTLSSettings.systemCADirectory) }
        return try MQTTClient(name: name, settings: settings, loop: loop)
    }

    var description: String { host + ":" + String(port) }

    /// 12 hex digits from the system's random source (the pid if that fails), so two
    /// operators' commands never share a client id and kick each other off the broker.
    static func randomSuffix() -> String {
        let random = (try? SecureRandom.bytes(6)) ?? [UInt8(truncatingIfNeeded: getpid())]
        return Hex.encode(random)
    }
}
