import Crypto
import JSON
import Runtime
import ServiceKit

/// The sending side of `switchyard ota push`: signs the manifest once it has heard the
/// gateway's last accepted serial (its retained status), publishes it, streams chunks once
/// the gateway has accepted it (a bounded window in flight), resends what `need` asks for,
/// and ends when the gateway reports the image committed, or refused, failed or rolled back.
public final class OTASender {
    /// How the push ended.
    public enum Outcome: Equatable {
        case committed
        case failed(String)
    }

    /// The manifest: serial, expiry and signature are set when it is signed, after connecting.
    public private(set) var manifest: OTAManifest
    /// Whether `manifest` is signed (and sent); it never changes after that.
    public private(set) var isSigned = false
    /// How long a manifest stays valid after signing, in seconds.
    public let validity: Int
    /// How far ahead of our clock (ms) a serial the gateway reports is still believed.
    static let serialLead = 86_400_000
    /// How long to wait for the gateway's retained status before signing without it.
    public var statusWait = Interval.seconds(2)
    let key: Ed25519.PrivateKey
    let image: OTAImageFile
    let port: MessagePort
    let loop: EventLoop
    let topics: OTATopics
    /// Messages the client holds that the broker has not acknowledged (window control).
    let backlog: () -> Int
    /// Chunks in flight at most.
    public var window = 32
    /// Called with each status the gateway publishes about this image.
    public var onStatus: ((OTAStatus) -> Void)?
    /// Called once, when the push ends.
    public var onFinish: ((Outcome) -> Void)?
    public private(set) var chunksSent = 0
    public private(set) var resent = 0
    public private(set) var needsAnswered = 0

    private var queue: [Int] = []
    private var queued: Set<Int> = []
    private var accepted = false
    private var finished = false
    private var pump: FixedRateTask?
    private var lastManifestAt = Instant(nanoseconds: 0)
    private var tokens: [PortToken] = []
    private var connectToken: PortToken?
    private var connectedAt: Instant?
    /// The highest serial the gateway's status has reported, and whether any status came.
    private var reportedSerial = 0
    private var heardStatus = false

    /// Sends `manifest` (its serial, expiry and signature are filled in when it is signed
    /// with `key`, valid for `validity` seconds from then).
    public init(manifest: OTAManifest, key: Ed25519.PrivateKey, validity: Int, image: OTAImageFile, port: MessagePort,
                loop: EventLoop, node: String, backlog: @escaping () -> Int) {
        self.manifest = manifest
        self.key = key
        self.validity = validity
        self.image = image
        self.port = port
        self.loop = loop
        self.backlog = backlog
        topics = OTATopics(prefix: "switchyard/" + node)
    }

    /// Subscribes and starts; the manifest goes out on every (re)connect until accepted.
    public func start() {
        tokens.append(port.subscribe(topics.status, qos: 1) { [self] message in self.handleStatus(message) })
        tokens.append(port.subscribe(topics.need, qos: 1) { [self] message in self.handleNeed(message.payload) })
        connectToken = port.onConnect { [self] in
            if self.connectedAt == nil { self.connectedAt = self.loop.clock.now() }
            if !self.accepted && self.isSigned { self.publishManifest() }
        }
        for index in 0..<manifest.chunkCount { enqueue(index) }
        pump = loop.addTask("ota.push", every: .milliseconds(5)) { [self] in self.tick() }
    }

    /// Unsubscribes and stops sending.
    public func stop() {
        pump?.cancel()
        pump = nil
        for token in tokens { port.unsubscribe(token) }
        tokens.removeAll()
        if let connectToken { port.removeConnectHandler(connectToken) }
        connectToken = nil
    }

    /// Signs the manifest: serial the milliseconds since the epoch, raised above the last
    /// serial the gateway reported (its clock or ours may be off); valid for `validity` from
    /// the later of our clock and that serial's time.
    private func sign() {
        let now = Int(WallClock.millisecondsSinceEpoch())
        let serial = min(OTAManifest.maxSerial, max(now, reportedSerial + 1))
        manifest.serial = serial
        manifest.expires = min(OTAManifest.maxExpires, max(now, serial) / 1000 + validity)
        manifest = manifest.signed(by: key)
        isSigned = true
    }

    private func publishManifest() {
        lastManifestAt = loop.clock.now()
        port.publish(topics.manifest, Array(manifest.json.serialized().utf8), qos: 1, retain: false)
    }

    private func enqueue(_ index: Int) {
        guard index >= 0 && index < manifest.chunkCount, !queued.contains(index) else { return }
        queued.insert(index)
        queue.append(index)
    }

    private func tick() {
        guard !finished, port.isConnected else { return }
        if !isSigned {
            // The retained status comes right after the subscription; wait a moment for it.
            guard let connectedAt, heardStatus || loop.clock.now() - connectedAt > statusWait else { return }
            sign()
            publishManifest()
            return
        }
        // No word from the gateway yet (offline, or it missed the manifest): say it again.
        if !accepted && loop.clock.now() - lastManifestAt > .seconds(5) { publishManifest() }
        guard accepted else { return }
        var budget = window - backlog()
        while budget > 0 && !queue.isEmpty {
            let index = queue.removeFirst()
            queued.remove(index)
            port.publish(topics.chunk(index), image.chunk(index, chunkSize: manifest.chunkSize), qos: 1, retain: false)
            chunksSent += 1
            budget -= 1
        }
    }

    private func handleStatus(_ message: MQTTMessage) {
        guard !finished, let value = try? JSONValue.parse(message.payload), let stateName = value["state"]?.stringValue
        else { return }
        heardStatus = true
        // The status is not signed: a serial more than a day ahead of our clock is not taken,
        // so a forged status cannot make us spend the gateway's serials up to the last one.
        if let serial = value["serial"]?.intValue, serial > reportedSerial,
           serial <= Int(WallClock.millisecondsSinceEpoch()) + OTASender.serialLead {
            reportedSerial = serial
        }
        // A state this sender does not know (a newer gateway's) says nothing it can act on.
        guard isSigned, value["sha256"]?.stringValue == manifest.digestHex, let state = OTAState(name: stateName)
        else { return }
        // Anyone on the broker can publish here: a percent outside 0...100 is not one (and
        // would overflow the progress bar's arithmetic).
        let percent = value["percent"]?.intValue.map { min(100, max(0, $0)) } ?? 0
        let status = OTAStatus(state: state, percent: percent,
                               version: value["version"]?.stringValue ?? "", sha256: manifest.digestHex,
                               reason: value["reason"]?.stringValue ?? "")
        onStatus?(status)
        switch state {
        case .receiving:
            // Only a live answer for a fresh transfer starts the full stream. A retained one
            // may be from before a gateway restart, and a transfer with chunks already on
            // the gateway is followed by a `need` that says what is left: wait for that.
            if !message.retain && status.percent == 0 { accepted = true }
        case .verifying, .installed, .trial:
            accepted = true
            queue.removeAll()
            queued.removeAll()
        case .committed:
            finish(.committed)
        case .refused, .failed, .rolledBack:
            // A retained refusal is from an earlier push of this image: wait for a fresh word.
            guard !message.retain else { return }
            finish(.failed(state.name + ": " + status.reason))
        case .idle:
            break
        }
    }

    private func handleNeed(_ payload: [UInt8]) {
        // Only once our manifest is out: the need is then about it (same image, same chunks).
        guard !finished, isSigned, let value = try? JSONValue.parse(payload),
              value["sha256"]?.stringValue == manifest.digestHex, let ranges = value["missing"]?.arrayValue else { return }
        accepted = true
        needsAnswered += 1
        // Before the first chunk went out, the need is the whole list: a resumed transfer
        // sends only what the gateway lacks.
        if chunksSent == 0 {
            queue.removeAll()
            queued.removeAll()
        }
        for range in ranges {
            guard let low = range[0]?.intValue, let high = range[1]?.intValue, low <= high,
                  low >= 0, high < manifest.chunkCount else { continue }
            for index in low...high where !queued.contains(index) {
                enqueue(index)
                if chunksSent > 0 { resent += 1 }
            }
        }
    }

    private func finish(_ outcome: Outcome) {
        guard !finished else { return }
        finished = true
        stop()
        onFinish?(outcome)
    }
}
