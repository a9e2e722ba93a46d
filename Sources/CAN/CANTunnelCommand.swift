import CLI
import CSupport
import Crypto
import JSON
import Runtime
import ServiceKit
import Store
import Uplink

/// `switchyard can-tunnel`: PyMQTT2CAN's command line (seed 004): `-b -i -s -u -p -t -H -P -S`
/// with the seed's defaults, except the broker, which is the one `run` uses (`mqtt.*`:
/// localhost:1883 unless configured), so a tunnel and a gateway on one box agree.
///
/// Not a second gateway: the flags become `can.*` settings in a store of their own (never
/// saved), and the same `CANService` runs under the same `ServiceHost` as in `switchyard run`.
enum CANTunnelCommand {
    /// `can-tunnel` in the `can` service's descriptor. Its `-p PASSWORD` is PyMQTT2CAN's
    /// interface: the process's copy keeps the value, its argv area (/proc/PID/cmdline) loses it.
    static var command: ServiceCommand {
        ServiceCommand("can-tunnel", summary: "Tunnel a CAN bus over MQTT like PyMQTT2CAN: -b -i -s -u -p -t -H -P -S",
                       help: help, runsUntilSignalled: true, secretOptions: ["-p", "--password"]) {
            arguments, _ throws(UsageError) in try main(arguments)
        }
    }

    static let help = """
    Usage: switchyard can-tunnel [-b socketcan|slcan] [-i IFACE|DEVICE] [-s BITRATE] [-u USER] [-p PASSWORD]
                                 [-t TOPIC] [-H HOST] [-P PORT] [-S] [options]

    Tunnels a CAN bus over MQTT, wire-compatible with PyMQTT2CAN and SavvyCAN. The side at
    the physical bus runs with -S (server): it publishes every bus frame to TOPIC/<decimal id>
    and writes what arrives on TOPIC/s/<id> to the bus. A remote side (client, no -S) writes
    TOPIC/<id> to its bus (usually a vcan) and publishes its own bus frames to TOPIC/s/<id>,
    as SavvyCAN does. Payload: 8-byte little-endian microsecond timestamp, a flags byte
    (1 extended, 2 remote, 4 CAN FD, 8 ESI), then the data bytes. Runs until SIGINT/SIGTERM.

    Options (the seed's flags and defaults):
      -b TYPE       Bus type: socketcan or slcan (default socketcan)
      -i NAME       SocketCAN interface, or the SLCAN adapter's serial device
                    (default can0; /dev/ttyACM0 with -b slcan)
      -s BITRATE    Bit rate (default 500000). SLCAN: 10000 20000 50000 100000 125000 250000
                    500000 750000 1000000 83333. SocketCAN: applied only when given, needs root
      -u USER       MQTT user name (default none: no login)
      -p PASSWORD   MQTT password (default none; $MQTT_PASSWORD is used when -p is not given)
      -t TOPIC      Base topic (default can); may contain /, the id is always the last level
      -H HOST       MQTT broker host (default: mqtt.host as `run` uses it, localhost unless set)
      -P PORT       MQTT broker port (default: mqtt.port, 1883 unless set; 8883, 8884 and 443
                    mean TLS with the system CAs)
      -S            Server mode: this side has the physical bus

    More options:
      --filter RULES      Publish only bus frames matching ID:MASK rules, e.g. 0x7E8:0x7F8,0x100
      --only-changes      Publish a frame only when its id's data changed
      --listen-only       Never write to the bus (SLCAN opens with L)
      --data-bitrate N    CAN FD data-phase bit rate of an SLCAN adapter (2000000 or 5000000)
      --fd-brs            Send CAN FD frames from MQTT with the bit rate switch
      --ring N            Frames buffered between the bus reader and the loop (default 4096)
      --batch-us N        Microseconds frames may wait to be published together (default 500; 0 for none)
      --client-id ID      MQTT client id (default switchyard-can-<random>)
      --data DIR          Where the saved mqtt.* settings are read (default as for `run`)
      --connect-timeout S Give up (exit 1) when the broker is not reached in S seconds
                          (default 8; 0 waits for ever); a broker refusing the login ends it at once
      --stats-interval S  Log the counters every S seconds (default 60; 0 only at exit)
      --log-level LEVEL   debug, info, warning, error or critical (default info)
      --rate N, --count N With -b synthetic (no hardware, for benchmarks): generate N frames/s
                          (0 as fast as possible), and stop after --count frames (0 never)
    """

    /// The entry point: `switchyard can-tunnel ARGS...`.
    static func main(_ arguments: [String]) throws(UsageError) -> Int32 {
        let options = try Options(arguments)
        if options.wantsHelp {
            Output.line(help)
            return 0
        }
        if let level = options.logLevel { LogSettings.level = level }
        let log = Logger("can-tunnel")
        let store = try options.settings()

        // Signals first: the reader and connect threads inherit the blocked mask.
        let signals: SignalEvents
        let loop: EventLoop
        do throws(RuntimeError) {
            signals = try SignalEvents()
            loop = try EventLoop()
        } catch {
            Output.error("switchyard can-tunnel: " + error.description)
            return 1
        }
        let client: MQTTClient
        do throws(UplinkError) {
            let settings = try options.mqttSettings()
            client = try MQTTClient(name: "can-mqtt", settings: settings, loop: loop)
            log.info("connecting to " + settings.endpoint + (settings.tls == nil ? "" : " with TLS") + " as "
                     + settings.clientID + (settings.username.map { ", user " + $0 } ?? ""))
        } catch {
            Output.error("switchyard can-tunnel: mqtt: " + error.description)
            return 1
        }
        var service: CANService? = nil
        let descriptor = ServiceDescriptor(
            name: CANService.descriptor.name, summary: CANService.descriptor.summary,
            enabled: CANConfigKeys.enabled, keys: CANConfigKeys.all) { context in
            let made = CANService(context: context, bus: options.syntheticBus)
            service = made
            return made
        }
        let host = ServiceHost(catalogue: [descriptor], store: store, loop: loop, port: client, node: "can-tunnel",
                               topicPrefix: "", commands: CommandRegistry())
        func logStats() {
            if let tunnel = service?.tunnel { log.info("stats: " + tunnel.stateJSON().serialized()) }
        }
        var stopping = false
        var status: Int32 = 0
        func stop() {
            guard !stopping else { return }
            stopping = true
            // The last counters, while the tunnel still has them (stopping drops it).
            logStats()
            host.stopAll()
            client.stop(grace: .seconds(1)) { loop.stop() }
        }
        // Like the seed tool, read the bus only once the broker is there: frames before that
        // could only be dropped.
        var started = false
        client.onConnect {
            guard !started else { return }
            started = true
            host.startAll()
            if let tunnel = service?.tunnel, case .failed(let reason) = tunnel.state {
                Output.error("switchyard can-tunnel: cannot open " + tunnel.bus.name + ": " + reason)
                status = 1
                stop()
            } else if case .failed(let reason)? = host.health(of: descriptor.name) {
                Output.error("switchyard can-tunnel: " + reason)
                status = 1
                stop()
            }
        }
        // A refusal will not change by retrying (a wrong login); silence for ever is no answer.
        client.onConnectResult = { result in
            guard !started, case .refused(let code) = result else { return }
            Output.error("switchyard can-tunnel: " + client.settings.endpoint + " refused the connection: " + code.name)
            status = 1
            stop()
        }
        if options.connectTimeout > 0 {
            _ = loop.after(.seconds(Int64(options.connectTimeout))) {
                guard !started, !stopping else { return }
                Output.error("switchyard can-tunnel: no connection to " + client.settings.endpoint + " within "
                    + String(options.connectTimeout) + " s" + (client.lastError.isEmpty ? "" : " (" + client.lastError + ")"))
                status = 1
                stop()
            }
        }
        client.start()
        loop.handleSignals(signals) { signal in
            log.info(SignalEvents.name(of: signal) + ": stopping")
            stop()
        }
        if options.statsInterval > 0 {
            loop.addTask("can.stats", every: .seconds(Int64(options.statsInterval))) { logStats() }
        }
        do throws(RuntimeError) { try loop.run() } catch {
            Output.error("switchyard can-tunnel: " + error.description)
            return 1
        }
        return status
    }

    /// The parsed command line.
    struct Options {
        var wantsHelp = false
        /// `can.*` settings named by the flags, in the store's text form.
        var values: [(key: AnyConfigKey, value: String)] = []
        /// `-b synthetic`: generated frames instead of a configured bus (benchmarks).
        var syntheticBus: CANBusSettings?
        var host: String?
        var port: Int32?
        var dataDirectory: String?
        var connectTimeout = 8
        var username: String?
        var password: String?
        var clientID: String?
        var statsInterval = 60
        var logLevel: LogLevel?

        init(_ arguments: [String]) throws(UsageError) {
            var kind = "socketcan", device: String? = nil, server = false, rate = 0, count = 0
            var index = 0
            func value(_ flag: String) throws(UsageError) -> String {
                guard index < arguments.count else { throw UsageError(flag + " needs a value") }
                index += 1
                return arguments[index - 1]
            }
            // Every number flag has a range: `.seconds(n)` and the synthetic bus's pacing
            // overflow (a trap) on numbers far beyond any sensible one.
            func number(_ flag: String, in range: ClosedRange<Int>) throws(UsageError) -> Int {
                let text = try value(flag)
                guard let parsed = Int(text), range.contains(parsed) else {
                    throw UsageError(flag + " " + text + ": a whole number from " + String(range.lowerBound) + " to "
                                     + String(range.upperBound))
                }
                return parsed
            }
            func set<V>(_ key: ConfigKey<V>, _ text: String) { values.append((key.any, text)) }
            while index < arguments.count {
                let flag = arguments[index]
                index += 1
                switch flag {
                case "-h", "--help": wantsHelp = true
                case "-b": kind = try value(flag)
                case "-i": device = try value(flag)
                case "-s": set(CANConfigKeys.bitrate, try value(flag))
                case "-u": username = try value(flag)
                case "-p": password = try value(flag)
                case "-t": set(CANConfigKeys.topic, try value(flag))
                case "-H": host = try value(flag)
                case "-P": port = Int32(try number(flag, in: 1...65535))
                case "-S": server = true
                case "--filter": set(CANConfigKeys.filters, try value(flag))
                case "--only-changes": set(CANConfigKeys.onlyChanges, "true")
                case "--listen-only": set(CANConfigKeys.listenOnly, "true")
                case "--fd-brs": set(CANConfigKeys.fdBitRateSwitch, "true")
                case "--data-bitrate": set(CANConfigKeys.dataBitrate, try value(flag))
                case "--ring": set(CANConfigKeys.ringCapacity, try value(flag))
                case "--batch-us": set(CANConfigKeys.batchMicroseconds, try value(flag))
                case "--client-id": clientID = try value(flag)
                case "--data": dataDirectory = try value(flag)
                case "--connect-timeout": connectTimeout = try number(flag, in: 0...86_400)
                case "--stats-interval": statsInterval = try number(flag, in: 0...86_400)
                case "--rate": rate = try number(flag, in: 0...SyntheticCANBus.maxRate)
                case "--count": count = try number(flag, in: 0...Int(Int32.max))
                case "--log-level":
                    let name = try value(flag)
                    guard let level = LogLevel(name: name) else {
                        throw UsageError("--log-level " + name + ": use debug, info, warning, error or critical")
                    }
                    logLevel = level
                default:
                    throw UsageError("unknown option " + flag)
                }
            }
            guard let busKind = CANBusSettings.Kind(name: kind) else {
                throw UsageError("-b " + kind + ": use socketcan or slcan")
            }
            set(CANConfigKeys.enabled, "true")
            set(CANConfigKeys.mode, server ? "server" : "client")
            if busKind == .synthetic {
                syntheticBus = CANBusSettings(kind: .synthetic, device: "", syntheticRate: rate, syntheticCount: count)
            } else {
                set(CANConfigKeys.bus, busKind.name)
                if let device { set(busKind == .slcan ? CANConfigKeys.slcanDevice : CANConfigKeys.interface, device) }
            }
            if password == nil, let fromEnvironment = getenv("MQTT_PASSWORD") {
                password = String(cString: fromEnvironment)
            }
        }

        /// A store holding the flags as `can.*` settings over the keys' defaults: nothing
        /// from the data directory or the environment, and never saved. A value a key refuses,
        /// or settings the tunnel cannot use, are usage errors.
        func settings() throws(UsageError) -> ConfigStore {
            var schema = ConfigSchema.standard
            schema.register(CANConfigKeys.all)
            let store = ConfigStore(schema: schema, dataDirectory: "/nonexistent/switchyard-can-tunnel",
                                    environment: { _ in nil })
            do throws(StoreError) {
                for (key, value) in values { try store.set(key.name, to: value) }
            } catch {
                throw UsageError(error.description)
            }
            if syntheticBus == nil {
                do throws(ServiceError) { _ = try CANService.settings(from: store) } catch {
                    throw UsageError(error.description)
                }
            }
            return store
        }

        /// The broker connection: `run`'s (`mqtt.*` from the data directory and the
        /// environment) with the flags over it, as the seed tool connects: clean session,
        /// keepalive 60, no will, no spool. `-P` with a TLS port means TLS with the system CAs
        /// (unless `mqtt.tls.*` names a CA); a login only when a user name is given.
        func mqttSettings() throws(UplinkError) -> MQTTSettings {
            var id = clientID ?? ""
            if id.isEmpty {
                let random = (try? SecureRandom.bytes(6)) ?? [UInt8(truncatingIfNeeded: getpid())]
                id = "switchyard-can-" + Hex.encode(random)
            }
            let configured = ConfigStore(dataDirectory: DataDirectory.resolve(dataDirectory))
            var settings = try MQTTSettings.local(from: configured, node: "can-tunnel")
            settings.clientID = id
            settings.will = nil
            settings.spoolPath = nil
            settings.keepaliveSeconds = 60
            settings.cleanSession = true
            if let host { settings.host = host }
            if let port {
                settings.port = port
                if MQTTSettings.isTLSPort(port) && settings.tls == nil {
                    settings.tls = MQTTTLSSettings(caDirectory: MQTTTLSSettings.systemCADirectory)
                } else if !MQTTSettings.isTLSPort(port) && configured.string(StandardKeys.mqttTLSCAFile).isEmpty
                            && configured.string(StandardKeys.mqttTLSCADirectory).isEmpty {
                    settings.tls = nil
                }
            }
            if let username, !username.isEmpty {
                settings.username = username
                settings.password = password
            }
            return settings
        }
    }
}
