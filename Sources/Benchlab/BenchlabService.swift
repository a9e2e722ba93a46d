import JSON
import Runtime
import SerialPort
import ServiceKit
import Store

/// Issue 5: every Benchlab on the gateway's serial ports, polled in the run loop and
/// published as the seed's `info` and `telemetry` JSON. Rescans the ports periodically so
/// hot-plugged devices appear; a failing device retries on its own without disturbing the
/// others.
public final class BenchlabService: Service {
    /// The catalogue's entry for the Benchlab publisher.
    public static var descriptor: ServiceDescriptor {
        ServiceDescriptor(
            name: "benchlab", summary: "Benchlab USB telemetry devices: info and telemetry JSON per device.",
            enabled: BenchlabConfigKeys.enabled, keys: BenchlabConfigKeys.all, sharedKeys: [StandardKeys.mqttQoS.any],
            make: { context in BenchlabService(context: context) })
    }

    public let settings: BenchlabSettings
    /// Every device found or configured, in the order they were first seen.
    public private(set) var devices: [BenchlabDevice] = []
    /// Port scans so far.
    public private(set) var rescans = 0

    let context: ServiceContext
    let discovery: BenchlabDiscovery
    let log = Logger("benchlab")
    private var rescanTask: FixedRateTask?
    private var started = false
    /// Why the settings cannot work (reported by `start`), nil when they can.
    private let settingsProblem: String?
    private var listFailureLogged = false

    /// A service configured by `context.store`. Invalid settings (a template without
    /// `{uid}`, ...) make `start` fail with the reason.
    public convenience init(context: ServiceContext) {
        var settings = BenchlabSettings()
        var problem: String? = nil
        do throws(BenchlabError) { settings = try BenchlabSettings(store: context.store) } catch {
            problem = error.description
        }
        self.init(settings: settings, context: context, problem: problem)
    }

    /// A service running with `settings` (tests and benchmarks shorten the protocol's timings).
    public init(settings: BenchlabSettings, context: ServiceContext, problem: String? = nil) {
        self.settings = settings
        self.context = context
        discovery = BenchlabDiscovery(explicitPorts: settings.explicitPorts, discoverByUSB: settings.discoverByUSB)
        settingsProblem = problem
    }

    /// Whether `benchlab.enabled` is on.
    public var isEnabled: Bool { context.isEnabled }

    // MARK: Service

    /// Starts the periodic port scan (the first one now); does nothing when disabled.
    public func start() throws(ServiceError) {
        guard !started else { return }
        if let settingsProblem { throw .invalidSetting(key: "benchlab", reason: settingsProblem) }
        started = true
        log.info("polling every " + settings.pollInterval.millisecondsText + " ms; ports: "
                 + (settings.explicitPorts.isEmpty ? "none configured" : settings.explicitPorts.joined(separator: ", "))
                 + (settings.discoverByUSB ? ", plus USB 0483:5740" : ""))
        rescanTask = context.loop.addTask("benchlab rescan", every: settings.rescanInterval, firstDelay: .zero) {
            [self] in self.rescan()
        }
    }

    /// Stops the scan and every device, closing their ports.
    public func stop() {
        rescanTask?.cancel()
        rescanTask = nil
        for device in devices { device.stop() }
        devices.removeAll()
        started = false
    }

    /// Degraded while a device is not polling (unplugged, failing, identifying); reported
    /// whenever a device changes state.
    private func reportHealth() {
        guard started else { return }
        let missing = devices.filter { $0.state == .waiting || $0.state == .identifying }
        context.report(missing.isEmpty ? .ok
            : .degraded(String(missing.count) + " of " + String(devices.count) + " Benchlab devices not polling"))
    }

    /// Every device with its identity, state and counters.
    public func stateJSON() -> JSONValue {
        var object = JSONObject(minimumCapacity: 4)
        object.append("poll_ms", .int(settings.pollInterval.milliseconds))
        object.append("rescans", .int(rescans))
        object.append("devices", .array(devices.map { BenchlabService.deviceJSON($0) }))
        return .object(object)
    }

    /// `benchlab list|rescan`.
    public var commands: [Command] {
        [Command("benchlab", usage: "list|rescan",
                 help: "Lists the Benchlab devices and their counters, or scans the ports now.",
                 remote: .readOnly(["", "list"])) {
            [self] request in self.command(request)
        }]
    }

    // MARK: discovery

    /// Scans the ports: adds devices for new candidates and drops discovered devices whose
    /// port has gone from the list (an unplugged adapter; a replug finds it anew).
    public func rescan() {
        guard started else { return }
        rescans += 1
        var listed: [SerialPortInfo] = []
        var listComplete = true
        if settings.discoverByUSB {
            do throws(SerialPortError) {
                listed = try SerialPort.list()
                listFailureLogged = false
            } catch {
                if !listFailureLogged { log.warning(error.description) }
                listFailureLogged = true
                listComplete = false
            }
        }
        let candidates = discovery.candidates(listed: listed)
        // A failed listing says nothing about which ports went away: keep every device.
        if listComplete { dropVanished(candidates) }
        for candidate in candidates where !devices.contains(where: { $0.path == candidate.path }) {
            // A by-id link and its ttyACM name are one device: open it once.
            if let node = SerialPort.resolvedPath(candidate.path),
               devices.contains(where: { $0.devicePath == node }) {
                continue
            }
            add(candidate)
        }
    }

    /// Stops discovered devices whose port is no longer listed.
    private func dropVanished(_ candidates: [BenchlabDiscovery.Candidate]) {
        devices.removeAll { device in
            let gone = !device.isExplicit && !candidates.contains { $0.path == device.path }
            if gone {
                log.info(device.path + ": port gone")
                device.stop()
            }
            return gone
        }
    }

    private func add(_ candidate: BenchlabDiscovery.Candidate) {
        let device = BenchlabDevice(path: candidate.path, isExplicit: candidate.isExplicit, loop: context.loop,
                                    settings: settings)
        device.onIdentified = { [self] device in self.publishInfo(device) }
        device.onFrame = { [self] device, frame in self.publishTelemetry(device, frame) }
        device.onStateChange = { [self] in self.reportHealth() }
        devices.append(device)
        device.start()
    }

    // MARK: publishing

    func publishInfo(_ device: BenchlabDevice) {
        guard let identity = device.identity else { return }
        let payload = identity.infoJSON(port: device.path).serialized()
        // Bytes, not the `text:` extension, which traps in the Embedded build (MessagePort.swift).
        context.port.publish(settings.topics.info(uid: identity.uid), Array(payload.utf8), qos: settings.qos,
                       retain: settings.retainInfo)
    }

    func publishTelemetry(_ device: BenchlabDevice, _ frame: BenchlabSensorFrame) {
        guard let identity = device.identity else { return }
        let payload = BenchlabTelemetry.json(frame, timestampMilliseconds: WallClock.millisecondsSinceEpoch())
        let outcome = context.port.publish(settings.topics.telemetry(uid: identity.uid), text: payload.serialized(),
                                     qos: settings.qos, retain: false)
        if case .dropped = outcome {
            device.stats.publishDropped += 1
        } else {
            device.stats.published += 1
        }
    }
}
