import CSupport
import JSON
import Runtime

/// Wi-Fi on `wlan0` from the `wifi.*` settings: writes wpa_supplicant's configuration (0600,
/// under /run), starts wpa_supplicant or tells a running one to RECONFIGURE, follows it over
/// its control socket (STATUS and SIGNAL_POLL every 3 s, events after ATTACH) and starts
/// udhcpc once associated. Reconnecting after a loss is wpa_supplicant's job, renewing the
/// lease udhcpc's. Without `wlan0` nothing is started and the state says so.
final class WifiLink {
    /// What `wifi status` and `state` say.
    enum State: String {
        case off, invalidSetting = "invalid setting", noInterface = "no interface", starting, scanning
        case associating, connected, disconnected
    }

    let settings: WifiSettings?
    let problem: String?
    let interface: String
    let runDirectory: String
    private let loop: EventLoop
    private let log: Logger
    /// Called when the state or the last error changes; the service sets it while it runs.
    var changed: () -> Void = {}
    /// Whether the interface exists; tests replace it.
    var interfaceExists: (String) -> Bool = { access("/sys/class/net/" + $0, F_OK) == 0 }
    /// Starts a program (which forks into the background); its pid, or nil when it could
    /// not start. Tests record instead.
    var spawnProcess: ([String]) -> Int32? = { WifiLink.spawn($0) }
    /// Started programs not yet reaped: the foreground parent of a daemon exits at once.
    private var children: [Int32] = []
    var supplicantPath = "/usr/sbin/wpa_supplicant"
    var dhcpClientPath = "/sbin/udhcpc"
    private(set) var state: State = .off
    private(set) var ssid: String?
    private(set) var ipAddress: String?
    private(set) var signal: Int?
    private(set) var lastError: String?
    private(set) var scan: [WpaMessage.ScanEntry] = []
    /// Reply lines and scan rows that did not parse, plus datagrams the control socket dropped.
    private(set) var dropped = 0
    private var control: WpaControl?
    private var pollTask: FixedRateTask?
    private var dhcpStarted = false

    var configPath: String { runDirectory + "/wpa_supplicant.conf" }
    var controlDirectory: String { runDirectory + "/wpa" }

    init(settings: WifiSettings?, problem: String?, interface: String, runDirectory: String,
         loop: EventLoop, log: Logger) {
        self.settings = settings
        self.problem = problem
        self.interface = interface
        self.runDirectory = runDirectory
        self.loop = loop
        self.log = log
    }

    func start() {
        let control = WpaControl(serverPath: controlDirectory + "/" + interface, localPath: runDirectory + "/wpa-client",
                                 loop: loop) { [self] message in self.handle(message) }
        self.control = control
        if let problem {
            state = .invalidSetting
            lastError = problem
            log.warning("Wi-Fi not configured: " + problem)
            return
        }
        guard interfaceExists(interface) else {
            state = .noInterface
            if settings != nil { log.info("Wi-Fi settings kept, but this board has no " + interface) }
            return
        }
        guard let settings else {
            // wifi.ssid cleared: a wpa_supplicant we started earlier lets go of the network.
            if (try? control.open()) != nil { control.send("TERMINATE") }
            state = .off
            return
        }
        do throws(RuntimeError) {
            try? FileSystem.makeDirectory(runDirectory)
            try FileSystem.replaceAtomically(path: configPath, bytes: Array(settings.supplicantConfig(controlDirectory: controlDirectory).utf8),
                                             mode: 0o600)
        } catch {
            state = .disconnected
            lastError = "cannot write " + configPath + ": " + error.description
            log.error("Wi-Fi: " + lastError!)
            return
        }
        state = .starting
        if (try? control.open()) != nil {
            log.info("Wi-Fi: " + settings.description + "; wpa_supplicant reconfigured")
            control.send("RECONFIGURE")
            control.send("ATTACH")
        } else {
            log.info("Wi-Fi: " + settings.description + "; starting wpa_supplicant on " + interface)
            if let pid = spawnProcess([supplicantPath, "-B", "-i", interface, "-c", configPath]) {
                children.append(pid)
            } else {
                lastError = "cannot start " + supplicantPath
            }
        }
        pollTask = loop.addTask("wifi status", every: .seconds(3), firstDelay: .milliseconds(500)) { [self] in self.poll() }
    }

    func stop() {
        pollTask?.cancel()
        pollTask = nil
        control?.close()
        control = nil
    }

    /// Asks for fresh scan results; they arrive with CTRL-EVENT-SCAN-RESULTS.
    func requestScan() -> Bool {
        guard let control, control.isOpen else { return false }
        return control.send("SCAN")
    }

    private func poll() {
        children.removeAll { pid in
            var status: Int32 = 0
            return waitpid(pid, &status, WNOHANG) != 0
        }
        guard let control else { return }
        if !control.isOpen {
            guard (try? control.open()) != nil else { return }
            control.send("ATTACH")
        }
        control.send("STATUS")
        control.send("SIGNAL_POLL")
    }

    private func handle(_ message: WpaControl.Message) {
        switch message {
        case .reply(let command, let text):
            switch command {
            case "STATUS": status(text)
            case "SIGNAL_POLL":
                let parsed = WpaMessage.pairs(text)
                dropped += parsed.dropped
                signal = parsed.pairs.first { $0.key == "RSSI" }.flatMap { Int($0.value) }
            case "SCAN_RESULTS":
                let parsed = WpaMessage.scanResults(text)
                dropped += parsed.dropped
                scan = parsed.entries
            default:
                if text.hasPrefix("FAIL") { log.warning("wpa_supplicant refused " + command) }
            }
        case .event(let text):
            switch WpaMessage.event(text) {
            case .wrongKey:
                let error = "wrong password (4-way handshake failed)"
                // wpa_supplicant says it twice (the handshake, then the network disabled).
                if lastError != error { log.warning("Wi-Fi: " + error + "; check wifi.psk") }
                lastError = error
            case .temporarilyDisabled(let reason):
                lastError = "network temporarily disabled (" + reason + ")"
            case .networkNotFound:
                if state != .connected { lastError = "network not found" }
            case .connected:
                lastError = nil
                log.info("Wi-Fi: associated")
            case .disconnected:
                if state == .connected { log.warning("Wi-Fi: connection lost; wpa_supplicant reconnects") }
                state = .disconnected
            case .scanResults:
                control?.send("SCAN_RESULTS")
            case .other:
                return
            }
            changed()
        }
    }

    private func status(_ text: String) {
        let parsed = WpaMessage.pairs(text)
        dropped += parsed.dropped
        var wpaState = ""
        var ssid: String?
        var ip: String?
        for pair in parsed.pairs {
            switch pair.key {
            case "wpa_state": wpaState = pair.value
            case "ssid": ssid = pair.value
            case "ip_address": ip = pair.value
            default: break
            }
        }
        let before = state
        switch wpaState {
        case "COMPLETED": state = .connected
        case "SCANNING": state = .scanning
        case "AUTHENTICATING", "ASSOCIATING", "ASSOCIATED", "4WAY_HANDSHAKE", "GROUP_HANDSHAKE": state = .associating
        default: state = .disconnected
        }
        self.ssid = ssid
        ipAddress = ip
        // An address already there (udhcpc from before a service restart, or a static one)
        // needs no new client.
        if state == .connected && ip == nil && !dhcpStarted { startDHCP() }
        if state != before { changed() }
    }

    /// udhcpc once, in the background with its pid file: it renews the lease and, with the
    /// image's script, hands its NTP servers to time sync. One already running (a service
    /// restart) is left alone.
    private func startDHCP() {
        dhcpStarted = true
        let pidFile = "/run/udhcpc." + interface + ".pid"
        let bytes: [UInt8]?
        do throws(RuntimeError) { bytes = try FileSystem.read(pidFile, limit: 16) } catch { bytes = nil }
        if let bytes, let pid = Int32(String(decoding: bytes.filter { $0 != 0x0A }, as: UTF8.self)), kill(pid, 0) == 0 {
            return
        }
        if let pid = spawnProcess([dhcpClientPath, "-i", interface, "-b", "-t", "5", "-T", "2", "-O", "ntpsrv", "-p", pidFile,
                                   "-s", "/usr/share/udhcpc/default.script"]) {
            children.append(pid)
        } else {
            lastError = "cannot start " + dhcpClientPath
        }
    }

    /// Why Wi-Fi that is configured is not connected (`wrong password (...)`, `network not
    /// found`, `no wlan0`, `scanning`), or nil: connected, or no Wi-Fi wanted.
    var notConnectedReason: String? {
        guard settings != nil || problem != nil, state != .connected else { return nil }
        if let lastError { return lastError }
        return state == .noInterface ? "no " + interface : state.rawValue
    }

    /// The `wifi` block of `state` and `wifi status`; never the passphrase.
    func stateJSON() -> JSONValue {
        var object = JSONObject(minimumCapacity: 8)
        // Names the interface: "no wlan0" says at once that this board has no radio.
        object.append("state", .string(state == .noInterface ? "no " + interface : state.rawValue))
        object.append("interface", .string(interface))
        if let ssid = ssid ?? settings?.ssidText { object.append("ssid", .string(ssid)) }
        if let ipAddress { object.append("ip", .string(ipAddress)) }
        if let signal { object.append("signal_dbm", .int(signal)) }
        if let lastError { object.append("last_error", .string(lastError)) }
        if let settings { object.append("country", .string(settings.country)) }
        object.append("dropped", .int(dropped + (control?.dropped ?? 0)))
        return .object(object)
    }

    /// The scan results for `wifi scan`, strongest first.
    func scanJSON() -> JSONValue {
        .array(scan.sorted { $0.signal > $1.signal }.map { entry in
            var object = JSONObject(minimumCapacity: 5)
            object.append("ssid", .string(entry.ssid))
            object.append("bssid", .string(entry.bssid))
            object.append("frequency_mhz", .int(entry.frequency))
            object.append("signal_dbm", .int(entry.signal))
            object.append("flags", .string(entry.flags))
            return .object(object)
        })
    }

    /// posix_spawn with default signals (the gateway's blocked set must not reach a daemon).
    static func spawn(_ arguments: [String]) -> Int32? {
        var pid: pid_t = 0
        var cArguments: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        var cEnvironment: [UnsafeMutablePointer<CChar>?] = [strdup("PATH=/usr/sbin:/usr/bin:/sbin:/bin"), nil]
        defer {
            for pointer in cArguments { free(pointer) }
            for pointer in cEnvironment { free(pointer) }
        }
        guard sy_spawn(&pid, arguments[0], &cArguments, &cEnvironment, -1, -1, -1) == 0 else { return nil }
        return pid
    }
}
