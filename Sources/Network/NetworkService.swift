import JSON
import Runtime
import ServiceKit
import Store

/// Issue 27: the gateway's clock on boards without a real-time clock. SNTP against
/// `time.servers` and the DHCP lease's servers (`TimeSync`); until the first success
/// `ClockTrust` holds TLS connections back, the service reports itself degraded (the LED and
/// `state` say so) and the log says why. The time is saved to `<data>/clock` on every sync,
/// every 10 minutes and at stop, for the image to restore at the next boot.
public final class NetworkService: Service {
    /// The catalogue's entry.
    public static var descriptor: ServiceDescriptor {
        ServiceDescriptor(
            name: "network", summary: "Time sync (SNTP) before TLS; the last known time kept on /data; Wi-Fi on wlan0 from wifi.*.",
            enabled: NetworkConfigKeys.enabled, keys: NetworkConfigKeys.all,
            make: { context in NetworkService(context: context) })
    }

    /// Where udhcpc's hook writes the lease's NTP servers (image/rootfs/usr/share/udhcpc).
    public static let dhcpServersPath = "/run/switchyard/ntp-servers"

    let context: ServiceContext
    private let servers: [TimeServer]
    private let settingsProblem: String?
    private let saved: SavedClock
    /// The board's real-time clock, written after every sync (absent on most Pis).
    var rtc = RealTimeClock()
    /// When the RTC was last written (ms since the epoch), or why it could not be.
    private var rtcWritten: Int64?
    private var rtcProblem: String?
    /// `time.tls_waits`: whether this service closes `ClockTrust` until its first sync.
    private let tlsWaits: Bool
    private var sync: TimeSync?
    private var saveTask: FixedRateTask?
    private var started = false
    /// Replaces the system clock step in tests (which must never set the machine's clock).
    var stepClock: (Int64) -> Bool = { TimeSync.stepSystemClock(by: $0) }
    /// The DHCP servers file; tests point it elsewhere.
    var dhcpServersPath: String? = NetworkService.dhcpServersPath
    /// What the image's rcS found on /data at boot (`clean`, `repaired`, `damaged`, `absent`).
    public static let dataStatePath = "/run/switchyard/data-state"
    var dataStatePath = NetworkService.dataStatePath
    /// The data partition's state as rcS left it, read once at start; nil off the image.
    private var dataState: String?
    /// Wi-Fi from `wifi.*`: a change restarts this service, which rewrites wpa_supplicant's
    /// configuration and has it RECONFIGURE, so settings apply at `save` without a reboot.
    let wifi: WifiLink

    public init(context: ServiceContext) {
        self.context = context
        saved = SavedClock(dataDirectory: context.store.dataDirectory)
        tlsWaits = context.store.value(NetworkConfigKeys.tlsWaits)
        var servers: [TimeServer] = []
        var problem: String? = nil
        for text in context.store.value(NetworkConfigKeys.timeServers) {
            do throws(NetworkError) { servers.append(try TimeServer(text)) } catch {
                problem = error.description
            }
        }
        if servers.isEmpty && problem == nil { problem = "no time server configured" }
        self.servers = servers
        settingsProblem = problem
        let store = context.store
        var wifiSettings: WifiSettings? = nil
        var wifiProblem: String? = nil
        do throws(NetworkError) {
            wifiSettings = try WifiSettings.checked(ssid: store.value(NetworkConfigKeys.wifiSSID), psk: store.secretValue(NetworkConfigKeys.wifiPSK),
                                                    country: store.value(NetworkConfigKeys.wifiCountry),
                                                    hidden: store.value(NetworkConfigKeys.wifiHidden))
        } catch {
            wifiProblem = error.description
        }
        let interface = store.value(NetworkConfigKeys.wifiInterface)
        let runDirectory = store.value(NetworkConfigKeys.wifiRunDirectory)
        if interface.isEmpty || interface.utf8.count > 15 || interface.contains("/") {
            wifiProblem = "wifi.interface: expected a network interface name (wlan0)"
        } else if !runDirectory.hasPrefix("/") || runDirectory.utf8.count > 80 {
            wifiProblem = "wifi.run_directory: expected an absolute path of at most 80 bytes (socket paths are short)"
        }
        wifi = WifiLink(settings: wifiSettings, problem: wifiProblem, interface: interface, runDirectory: runDirectory,
                        loop: context.loop, log: context.log)
    }

    public func start() throws(ServiceError) {
        guard !started else { return }
        if let settingsProblem { throw .invalidSetting(key: NetworkConfigKeys.timeServers.name, reason: settingsProblem) }
        let sync = TimeSync(servers: servers, interval: context.store.value(NetworkConfigKeys.interval),
                            dhcpServersPath: dhcpServersPath, loop: context.loop, log: context.log,
                            stepClock: stepClock) { [self] in self.syncChanged() }
        do throws(RuntimeError) { try sync.start() } catch { throw .runtime(error) }
        self.sync = sync
        started = true
        // Cleared at stop: the link must not keep a stopped service alive.
        wifi.changed = { [self] in
            self.reportHealth()
            self.context.stateChanged()
        }
        wifi.start()
        readDataState()
        // A restart of this service after a setting changed keeps a clock already synchronised.
        if ClockTrust.state != .synchronised {
            if tlsWaits { ClockTrust.set(.waiting) }
            context.log.info("clock not synchronised yet (time.servers " + servers.map { $0.description }.joined(separator: ", ")
                             + (tlsWaits ? "): TLS connections wait for it" : ")"))
        }
        reportHealth()
        saveTask = context.loop.addTask("clock save", every: .seconds(600), firstDelay: .seconds(600)) { [self] in
            self.saveClock()
        }
    }

    public func stop() {
        guard started else { return }
        if sync?.lastSync != nil { saveClock() }
        sync?.stop()
        sync = nil
        wifi.stop()
        wifi.changed = {}
        saveTask?.cancel()
        saveTask = nil
        started = false
        // Nothing synchronises the clock any more: TLS must not wait for what will not come.
        if ClockTrust.state == .waiting { ClockTrust.set(.unmanaged) }
    }

    /// An unrepairable /data runs the gateway on a copy of its settings in RAM: a person must
    /// repair the card, so the LED shows a fault and `state` says why.
    private func readDataState() {
        let bytes: [UInt8]?
        do throws(RuntimeError) { bytes = try FileSystem.read(dataStatePath, limit: 64) } catch { bytes = nil }
        guard let bytes else { return }
        let state = String(decoding: bytes.filter { $0 != 0x0A }, as: UTF8.self)
        dataState = state
        if state == "damaged" {
            context.log.error("the data partition could not be repaired at boot: running on settings in RAM, "
                              + "changes are lost at reboot; repair the card with e2fsck -f")
        }
    }

    private func syncChanged() {
        if let sync, sync.lastSync != nil {
            saveClock()
            writeRTC()
        }
        reportHealth()
        context.stateChanged()
    }

    /// One health from the clock and Wi-Fi: degraded with each reason while the clock is not
    /// synchronised or configured Wi-Fi is not connected. Wi-Fi down also asks the LED for
    /// "not connected" (a damaged /data asks for the fault, which outranks it).
    private func reportHealth() {
        var reasons: [String] = []
        if ClockTrust.state != .synchronised && sync?.lastSync == nil {
            let why = sync?.lastProblem.map { " (" + $0 + ")" } ?? " yet"
            reasons.append("clock not synchronised" + why + (tlsWaits ? "; TLS connections wait" : ""))
        }
        let wifiDown = wifi.notConnectedReason
        if let wifiDown { reasons.append("Wi-Fi not connected: " + wifiDown) }
        let health: ServiceHealth = reasons.isEmpty ? .ok : .degraded(reasons.joined(separator: "; "))
        if health != context.health { context.report(health) }
        context.report(attention: dataState == "damaged" ? .fault : (wifiDown != nil ? .notConnected : .none))
    }

    private func saveClock() {
        do throws(RuntimeError) { try saved.save() } catch {
            context.log.warning("cannot save the time to " + saved.path + ": " + error.description)
        }
    }

    /// Hands the synchronised time to the RTC, if the board has one.
    private func writeRTC() {
        guard rtc.isPresent else { return }
        let now = WallClock.millisecondsSinceEpoch()
        do throws(NetworkError) {
            try rtc.write(secondsSinceEpoch: now / 1000)
            if rtcWritten == nil { context.log.info("real-time clock " + rtc.path + " set from the synchronised time") }
            rtcWritten = now
            rtcProblem = nil
        } catch {
            if rtcProblem != error.description { context.log.warning(error.description) }
            rtcProblem = error.description
        }
    }

    public func stateJSON() -> JSONValue {
        var clock = JSONObject(minimumCapacity: 8)
        clock.append("synchronised", .bool(ClockTrust.state == .synchronised || sync?.lastSync != nil))
        clock.append("trust", .string(ClockTrust.state.name))
        clock.append("time", .string(WallClock.iso8601(millisecondsSinceEpoch: WallClock.millisecondsSinceEpoch())))
        clock.append("servers", .array(servers.map { .string($0.description) }))
        if let last = sync?.lastSync {
            clock.append("server", .string(last.server))
            clock.append("stratum", .int(Int(last.stratum)))
            clock.append("offset_ms", .int(Int(last.offsetMicros / 1000)))
            clock.append("delay_ms", .int(Int(last.delayMicros / 1000)))
            clock.append("last_sync", .string(WallClock.iso8601(millisecondsSinceEpoch: last.atMicros / 1000)))
        }
        if let problem = sync?.lastProblem { clock.append("problem", .string(problem)) }
        clock.append("rounds", .int(sync?.rounds ?? 0))
        clock.append("dropped", .int(sync?.dropped ?? 0))
        var object = JSONObject(minimumCapacity: 4)
        object.append("clock", .object(clock))
        if rtc.isPresent {
            var rtcObject = JSONObject(minimumCapacity: 4)
            rtcObject.append("device", .string(rtc.path))
            if let seconds = rtc.read() {
                rtcObject.append("time", .string(WallClock.iso8601(millisecondsSinceEpoch: seconds * 1000)))
            }
            if let rtcWritten { rtcObject.append("written", .string(WallClock.iso8601(millisecondsSinceEpoch: rtcWritten))) }
            if let rtcProblem { rtcObject.append("problem", .string(rtcProblem)) }
            object.append("rtc", .object(rtcObject))
        }
        if let dataState { object.append("data_partition", .string(dataState)) }
        object.append("wifi", wifi.stateJSON())
        return .object(object)
    }

    /// `time [status]`, `wifi status`, `wifi scan`.
    public var commands: [Command] {
        timeCommands + wifiCommands
    }

    private var wifiCommands: [Command] {
        [Command("wifi", usage: "status|scan",
                 help: "Wi-Fi on wlan0: state, network, address, signal and the last error; scan lists the networks seen (and starts a new scan).",
                 remote: .readOnly(["", "status"])) { [self] request in
            switch request.arguments {
            case [], ["status"]:
                return .json(self.wifi.stateJSON())
            case ["scan"]:
                let started = self.wifi.requestScan()
                var object = JSONObject(minimumCapacity: 3)
                object.append("scan_started", .bool(started))
                object.append("state", self.wifi.stateJSON()["state"] ?? .null)
                object.append("networks", self.wifi.scanJSON())
                return .json(.object(object))
            default:
                return .failure("usage: wifi status|scan")
            }
        }]
    }

    private var timeCommands: [Command] {
        [Command("time", usage: "[status]", help: "Shows whether the clock is synchronised, from which server, and the time.",
                 remote: .readOnly(["", "status"])) { [self] request in
            guard request.arguments.isEmpty || request.arguments == ["status"] else {
                return .failure("usage: time [status]")
            }
            return self.context.statusReply(self.stateJSON())
        }]
    }
}
