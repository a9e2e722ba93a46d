import JSON
import Runtime
import ServiceKit
import Store

/// Issue 9: the BLE client manager. Scans over raw HCI (or an HCI UART), decodes sensor
/// adverts, tracks devices with presence, publishes readings and Home Assistant discovery,
/// and keeps the seed's device manager (approve, remove, working mode, pair, unpair) as
/// `bcms` commands on the console, MQTT and the JSON-RPC port.
public final class BLEService: Service {
    /// The catalogue's entry for BLE.
    public static var descriptor: ServiceDescriptor {
        ServiceDescriptor(
            name: "ble", summary: "BLE scanner and device manager (BCMS): sensor adverts to MQTT, approved devices.",
            enabled: BLEConfigKeys.enabled, keys: BLEConfigKeys.all + IoTConfigKeys.all, sharedKeys: [],
            storedKeys: BLEConfigKeys.records,
            commands: [BCMSCommand.command, BCMSDaemonCommand.command], selftests: BLESelftests.checks,
            make: { context in BLEService(context: context) })
    }

    public internal(set) var settings: BLESettings
    public let registry: BLEDeviceRegistry
    public internal(set) var stats = BLEStats()
    /// The scanner while a transport is open.
    public private(set) var scanner: HCIScanner?
    /// The IoT API submission, when `iot.url` is set and the service runs.
    public private(set) var iot: IoTSubmitter?
    /// Registration of approved devices with the backend, when `iot.url` is set.
    public internal(set) var registration: IoTRegistration?
    /// IoT samples of approved devices still waiting for their backend id.
    var awaitingID = IoTAwaitingID(capacity: 256)
    /// The working mode in force (`ble.mode`, changed by `set_mode`).
    public internal(set) var mode: BLEMode

    let context: ServiceContext
    let log = Logger("ble")
    /// Each published reading is written here, reusing the storage (BLEService+Reports).
    var readingWriter = JSONWriter(capacity: 512)
    let settingsProblem: String?
    /// Opens the transport; tests hand in a socketpair end instead of `ble.adapter`.
    let openTransport: (BLESettings) throws(BLEError) -> HCITransport
    /// Opens an LE ATT channel to a device (encrypted: a bonded one); tests hand in a socketpair end.
    let openATT: (BLEAddress, BLEAddressType, Bool) throws(BLEError) -> OwnedDescriptor
    /// Active mode's connections, by device.
    var gattLinks: [BLEAddress: GATTLink] = [:]
    /// Pairing through the kernel's mgmt API, and the keys it keeps.
    let pairing: BLEPairing
    /// GATT connects and pairings take turns on the adapter (the kernel runs one LE
    /// connection attempt at a time); 16 waiting at most, in the order they asked.
    let connectTurns = LEConnectQueue(capacity: 16)
    /// The last encrypted BTHome counter of each device, kept across restarts.
    let bthomeCounters: BTHomeCounterStore
    /// Home Assistant discovery, under `ble.discovery_prefix`.
    let discovery: HomeAssistantAnnouncer
    private var windowTask: FixedRateTask?
    private var submitTask: FixedRateTask?
    private var cacheClearTask: FixedRateTask?
    private var reopenTimer: OneShotTimer?
    private var backoff = ReconnectBackoff(initial: .seconds(1), maximum: .seconds(60))
    var started = false
    var lastTransportProblem: String?
    /// The original BCMS Cap'n Proto RPC on the RPC port, when `ble.capnp` is on.
    let capnpDoor: BCMSCapnpDoor?

    /// A service configured by `context.store`.
    public convenience init(context: ServiceContext) {
        var settings = BLESettings()
        var problem: String? = nil
        do throws(BLEError) { settings = try BLESettings(store: context.store) } catch { problem = error.description }
        self.init(settings: settings, context: context, problem: problem) { settings throws(BLEError) in
            try HCITransport.open(adapter: settings.adapter, baud: settings.uartBaud)
        }
    }

    /// A service with `settings` and its own way to reach the controller (tests, benchmarks).
    /// `openATT` nil: the kernel's L2CAP socket, from the adapter `settings` name.
    public init(settings: BLESettings, context: ServiceContext, problem: String? = nil,
                openATT: ((BLEAddress, BLEAddressType, Bool) throws(BLEError) -> OwnedDescriptor)? = nil,
                openTransport: @escaping (BLESettings) throws(BLEError) -> HCITransport) {
        self.settings = settings
        self.context = context
        self.settingsProblem = problem
        if let openATT { self.openATT = openATT } else { self.openATT = BLEService.kernelATT(from: settings.adapter) }
        self.openTransport = openTransport
        self.mode = settings.mode
        registry = BLEDeviceRegistry(capacity: settings.maxDevices)
        pairing = BLEPairing(settings: settings, store: context.store, loop: context.loop, log: log)
        bthomeCounters = BTHomeCounterStore(dataDirectory: context.store.dataDirectory, loop: context.loop, log: log)
        discovery = context.homeAssistant(prefix: settings.discoveryPrefix)
        capnpDoor = BLEService.makeCapnpDoor(context: context, log: log)
    }

    /// The kernel's LE L2CAP ATT socket, going out from `adapter`.
    static func kernelATT(from adapter: String) -> (BLEAddress, BLEAddressType, Bool) throws(BLEError) -> OwnedDescriptor {
        return { address, type, encrypted throws(BLEError) in
            try BluetoothLibrary.connectATT(to: address, random: type == .random || type == .randomIdentity,
                                            encrypted: encrypted, from: adapter)
        }
    }

    // MARK: Service

    /// Opens the adapter (retried in the background when missing) and starts the window task.
    public func start() throws(ServiceError) {
        guard !started else { return }
        if let settingsProblem { throw .invalidSetting(key: "ble", reason: settingsProblem) }
        started = true
        capnpDoor?.handler = { [self] request, answer in self.bcmsCommand(request, answer: answer) }
        bthomeCounters.load()
        log.info("mode " + mode.configName + " on " + settings.adapter + ", scan window "
                 + settings.scanInterval.millisecondsText + " ms, " + String(settings.approved.count) + " approved devices")
        windowTask = context.loop.addTask("ble window", every: settings.scanInterval) { [self] in
            self.windowElapsed()
        }
        if settings.iot.isEnabled {
            let iot = IoTSubmitter(settings: settings.iot, http: context.http, loop: context.loop)
            self.iot = iot
            startRegistration(iot.backend)
            submitTask = context.loop.addTask("iot submit", every: settings.iot.submitInterval) { [self] in
                self.registerPending()
                iot.submit()
            }
            cacheClearTask = context.loop.addTask("iot cache clear", every: settings.iot.cacheClearInterval) {
                [self] in self.clearCache()
            }
        }
        applyMode()
        pairing.start()
    }

    /// Stops scanning and closes the adapter.
    public func stop() {
        guard started else { return }
        started = false
        capnpDoor?.handler = nil
        capnpDoor?.stop()
        windowTask?.cancel()
        windowTask = nil
        submitTask?.cancel()
        submitTask = nil
        cacheClearTask?.cancel()
        cacheClearTask = nil
        iot?.stop()
        iot = nil
        registration?.stop()
        registration = nil
        for link in gattLinks.values { link.close() }
        gattLinks.removeAll()
        connectTurns.removeAll()
        closeTransport()
        pairing.stop()
        bthomeCounters.stop()
    }

    /// Opens or closes the scanner to match `mode`.
    func applyMode() {
        guard started else { return }
        maintainGATT()
        if mode == .off {
            closeTransport()
            context.report(.ok)
            return
        }
        if let scanner {
            scanner.setActive(mode == .active)
        } else {
            openScanner()
        }
    }

    private func openScanner() {
        reopenTimer?.cancel()
        reopenTimer = nil
        var scannerSettings = settings.scanner
        scannerSettings.active = mode == .active
        let transport: HCITransport
        do throws(BLEError) {
            transport = try openTransport(settings)
        } catch {
            stats.transportFailures += 1
            transportLost(error.description)
            return
        }
        stats.transportOpens += 1
        let scanner = HCIScanner(transport: transport, loop: context.loop, settings: scannerSettings)
        scanner.onReport = { [self] report in self.handle(report) }
        scanner.onStateChange = { [self] state in self.scannerStateChanged(state) }
        scanner.onTransportLost = { [self] reason in
            self.closeTransport()
            self.transportLost(reason)
        }
        self.scanner = scanner
        lastTransportProblem = nil
        scanner.start()
    }

    private func closeTransport() {
        reopenTimer?.cancel()
        reopenTimer = nil
        scanner?.stop()
        scanner?.transport.close()
        scanner = nil
    }

    /// Reports the problem and tries again after a backoff.
    private func transportLost(_ reason: String) {
        lastTransportProblem = reason
        context.report(.degraded(reason))
        let delay = backoff.nextDelay()
        log.warning(reason + "; retrying in " + delay.millisecondsText + " ms")
        reopenTimer = context.loop.after(delay) { [self] in
            self.reopenTimer = nil
            if self.started && self.mode != .off && self.scanner == nil { self.openScanner() }
        }
    }

    private func scannerStateChanged(_ state: HCIScanner.State) {
        switch state {
        case .scanning:
            backoff.reset()
            context.report(.ok)
        case .failed(let reason):
            context.report(.degraded(reason))
        case .configuring, .stopped:
            break
        }
    }

    /// Once per scan window: the scan watchdog and the presence sweep.
    func windowElapsed() {
        scanner?.windowElapsed()
        sweepPresence()
        maintainGATT()
    }

    /// Mode, transport, scanner, counters and the device count.
    public func stateJSON() -> JSONValue {
        var object = JSONObject(minimumCapacity: 14)
        object.append("mode", .string(mode.configName))
        object.append("adapter", .string(scanner?.transport.label ?? settings.adapter))
        object.append("scan", .string(scanner?.state.name ?? (mode == .off ? "off" : "closed")))
        if let lastTransportProblem { object.append("problem", .string(lastTransportProblem)) }
        object.append("devices", .int(registry.count))
        object.append("approved", .int(settings.approved.count))
        object.append("evictions", .int(registry.evictions))
        object.append("scanner", scanner?.stats.json ?? .null)
        object.append("stats", stats.json)
        object.append("iot", iot?.json ?? .null)
        object.append("registration", registration?.json ?? .null)
        object.append("iot_awaiting_id", iot == nil ? .null : awaitingID.json)
        object.append("gatt", gattJSON)
        object.append("pairing", pairing.json)
        object.append("bthome_counters", bthomeCounters.json)
        return .object(object)
    }

    /// `ble` (status, devices, restart) and `bcms` (the seed's device manager).
    public var commands: [Command] {
        [
            Command("ble", usage: "status|devices|restart",
                    help: "BLE scanner state and counters, the devices heard, or a scan restart now.",
                    remote: .readOnly(["", "status", "devices"])) {
                [self] request in self.bleCommand(request)
            },
            Command("bcms", usage: "list|approve|remove|mode|set_mode|pair|unpair|is_paired [--address A] [--only_approved] [--mode M]",
                    help: "The BLE device manager (seed BCMS): list, approve and remove devices, get or set the working mode, pair and unpair (answers when pairing is done).",
                    remote: .readOnly(["list", "list *", "mode", "is_paired *", "is_paired --address *"]),
                    deferred: { [self] request, answer in self.bcmsCommand(request, answer: answer) })
                .servingStream(capnpDoor),
        ]
    }
}
