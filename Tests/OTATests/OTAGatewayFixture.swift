import Crypto
import Foundation
import JSON
import OTA
import Runtime
import ServiceKit
import TestSupport
import Testing
import Uplink

/// A supervised gateway against a real broker, with an OTA key pair made by `ota keygen`:
/// what the end-to-end OTA tests push to.
final class OTAGatewayFixture {
    let broker: MosquittoBroker
    let data = TemporaryDirectory(prefix: "ota-gateway")
    let work = TemporaryDirectory(prefix: "ota-work")
    let node = "ota-" + UUID().uuidString.prefix(6).lowercased()
    let logPath: String
    private(set) var supervisor: Subprocess?
    var keyPath: String { work.file("key") }
    var paths: OTAPaths { OTAPaths(dataDirectory: data.path) }
    static var binary: URL { Products.executable("switchyard") }

    /// A gateway whose trials last `trialSeconds` at most and count as good after
    /// `stableSeconds` healthy (short, so the tests' commits come quickly); `extra` are more
    /// settings saved with them.
    init(trialSeconds: Int = 30, stableSeconds: Int = 2, extra: [String: String] = [:]) throws {
        broker = try MosquittoBroker()
        logPath = data.file("supervise.log")
        let keygen = try ChildProcess.run(OTAGatewayFixture.binary, ["ota", "keygen", "--out", work.file("key")])
        precondition(keygen.status == 0, "keygen failed: \(keygen.stderr)")
        let publicKey = try String(contentsOfFile: work.file("key.pub"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let saved = ChildProcessConfig.set([
            "node.name": node, "rpc.port": String(FreePort.next()), "console.device": "none",
            "ota.enabled": "true", "ota.public_keys": publicKey, "ota.trial_s": String(trialSeconds),
            "ota.stable_s": String(stableSeconds),
        ].merging(extra) { $1 }, data: data.path)
        precondition(saved, "config set failed")
    }

    deinit {
        supervisor?.signal(SIGTERM)
        if supervisor?.wait(timeout: 10) == nil { supervisor?.signal(SIGKILL) }
    }

    /// Starts `switchyard supervise` with the test-built binary as the factory binary, unless
    /// `factory` names another; `extra` goes to `supervise` itself.
    func startSupervisor(factory: String? = nil, _ extra: [String] = []) throws {
        var arguments = ["supervise", "--data", data.path] + extra
        if let factory { arguments += ["--factory", factory] }
        supervisor = try Subprocess(OTAGatewayFixture.binary.path, arguments, environment: environment,
                                    stdout: .file(logPath), stderr: .file(logPath))
    }

    var environment: [String: String] {
        ["MQTT_BROKER": "127.0.0.1", "MQTT_PORT": String(broker.port), "LOG_LEVEL": "info"]
    }

    /// Whether this machine lets us mount a small tmpfs in a user and mount namespace.
    static let canMountTmpfs: Bool = {
        let result = try? ChildProcess.run(URL(fileURLWithPath: "/usr/bin/unshare"),
                                           ["-rm", "sh", "-c", "mount -t tmpfs -o size=64k tmpfs /mnt"])
        return result?.status == 0
    }()

    /// Starts the supervisor in its own mount namespace with `<data>/ota` on a tmpfs of
    /// `bytes`: a data partition that fills up. Its files are seen through `/proc/<pid>/root`.
    func startSupervisorOnASmallPartition(bytes: Int) throws {
        try FileManager.default.createDirectory(atPath: paths.directory, withIntermediateDirectories: true)
        let script = #"mount -t tmpfs -o size="$2" tmpfs "$0/ota" && exec "$1" supervise --data "$0""#
        supervisor = try Subprocess("/usr/bin/unshare", ["-rm", "sh", "-c", script, data.path,
                                                          OTAGatewayFixture.binary.path, String(bytes)],
                                    environment: environment, stdout: .file(logPath), stderr: .file(logPath))
    }

    /// The OTA files as the supervisor sees them (through its mount namespace, if it has one).
    var supervisorsPaths: OTAPaths {
        guard let pid = supervisor?.pid else { return paths }
        return OTAPaths(dataDirectory: "/proc/\(pid)/root" + data.path)
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Waits until `text` has appeared `count` times in the log.
    @discardableResult
    func waitForLog(_ text: String, count: Int = 1, timeout: TimeInterval = 30) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if log.components(separatedBy: text).count - 1 >= count { return true }
            usleep(50_000)
        }
        return false
    }

    /// The pid of the gateway the supervisor started last.
    var gatewayPID: pid_t? {
        guard let line = log.split(separator: "\n").last(where: { $0.contains("supervise: started slot") }),
              let open = line.range(of: "(pid "), let close = line.range(of: ")", range: open.upperBound..<line.endIndex)
        else { return nil }
        return pid_t(line[open.upperBound..<close.lowerBound])
    }

    /// `switchyard ota push` to this gateway.
    func push(_ file: String, key: String? = nil, _ extra: [String] = []) throws -> ProcessResult {
        try ChildProcess.run(OTAGatewayFixture.binary, ["ota", "push", "--file", file, "--key", key ?? keyPath,
                                                        "--node", node, "--broker", "127.0.0.1:\(broker.port)",
                                                        "--timeout", "90"] + extra)
    }

    /// The retained `ota/status` as JSON.
    func status() -> JSONValue? {
        guard let text = try? MQTTTool.retained(port: broker.port, topic: "switchyard/\(node)/ota/status") else { return nil }
        return try? JSONValue.parse(text)
    }

    /// Waits for a retained status for which `predicate` holds.
    @discardableResult
    func waitForStatus(timeout: TimeInterval = 30, _ predicate: (JSONValue) -> Bool) -> JSONValue? {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let value = status(), predicate(value) { return value }
            usleep(100_000)
        }
        return nil
    }

    func record() throws -> OTAStateRecord { try OTAStateStore(paths: paths).load() }

    /// Waits for a retained `state` heartbeat for which `predicate` holds.
    @discardableResult
    func waitForState(timeout: TimeInterval = 30, _ predicate: (JSONValue) -> Bool) -> JSONValue? {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let text = try? MQTTTool.retained(port: broker.port, topic: "switchyard/\(node)/state"),
               let value = try? JSONValue.parse(text), predicate(value) { return value }
            usleep(100_000)
        }
        return nil
    }

    // MARK: images

    /// A copy of the test-built gateway stamped as `version` by the same tool
    /// `make firmware VERSION=...` uses, optionally with an ELF header naming another machine.
    func patchedGateway(version: String, machine: UInt16? = nil) throws -> String {
        let path = work.file("switchyard-\(version)" + (machine.map { "-m\($0)" } ?? ""))
        try TestFirmwareFiles.stampedCopy(of: OTAGatewayFixture.binary, to: path, version: version)
        if let machine {
            let handle = try FileHandle(forUpdating: URL(fileURLWithPath: path))
            try handle.seek(toOffset: 18)
            try handle.write(contentsOf: Data([UInt8(machine & 0xff), UInt8(machine >> 8)]))
            try handle.close()
        }
        chmod(path, 0o755)
        return path
    }

    /// A real ELF built with gcc from `source` (a firmware that exits or hangs at start-up).
    func compiled(_ name: String, _ source: String) throws -> String {
        try TestFirmwareFiles.compiled(name, source, in: work)
    }

    /// A manifest for `image` signed with our key as `ota push` would: for this node (unless
    /// `node` says otherwise), a fresh serial, valid for an hour.
    func manifest(for image: [UInt8], version: String, chunkSize: Int = 65536, node: String? = nil,
                  force: Bool = false) throws -> OTAManifest {
        OTAManifest(version: OTAVersion(version)!, architecture: ELFHeader.hostArchitecture, size: image.count,
                    sha256: SHA256.hash(image), chunkSize: chunkSize,
                    chunkDigests: OTAManifest.chunkDigests(of: image, chunkSize: chunkSize),
                    target: .node(node ?? self.node), serial: freshSerial(), expires: nowSeconds() + 3600,
                    force: force).signed(by: try signingKey())
    }

    func signingKey() throws -> Ed25519.PrivateKey {
        let text = try String(contentsOfFile: keyPath, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        return try Ed25519.PrivateKey(seed: Hex.decode(text))
    }

    // MARK: a hand-driven sender

    /// Publishes `manifest` and then `chunks` of `image` (possibly altered) through our own
    /// MQTT client, as a sender that stops halfway or sends a tampered chunk would.
    func sendByHand(manifest: OTAManifest, image: [UInt8], chunks: Range<Int>) throws {
        let loop = try EventLoop()
        let client = try MQTTClient(name: "hand", settings: MQTTSettings(host: "127.0.0.1", port: Int32(broker.port),
                                                                         clientID: "hand-" + node), loop: loop)
        let topics = OTATopics(prefix: "switchyard/" + node)
        var accepted = false
        _ = client.subscribe(topics.status, qos: 1) { message in
            if !message.retain, let value = try? JSONValue.parse(message.payload),
               value["sha256"]?.stringValue == manifest.digestHex, value["state"]?.stringValue == "receiving" {
                accepted = true
            }
        }
        client.start()
        guard loop.run(timeout: 10, until: { client.isConnected }) else { throw FixtureError("hand sender: no broker") }
        client.publish(topics.manifest, Array(manifest.json.serialized().utf8), qos: 1, retain: false)
        guard loop.run(timeout: 20, until: { accepted }) else { throw FixtureError("hand sender: manifest not accepted") }
        for index in chunks {
            let start = index * manifest.chunkSize
            client.publish(topics.chunk(index), Array(image[start..<min(image.count, start + manifest.chunkSize)]),
                           qos: 1, retain: false)
            _ = loop.run(timeout: 10, until: { client.inflightCount + client.outbox.count < 32 })
        }
        _ = loop.run(timeout: 20, until: { client.inflightCount + client.outbox.count == 0 })
        var stopped = false
        client.stop { stopped = true }
        _ = loop.run(timeout: 5, until: { stopped })
    }

    /// Publishes each of `payloads` to this gateway's manifest topic through our own client,
    /// as fast as the broker takes them (what an attacker replaying or flooding would do).
    func publishManifests(_ payloads: [[UInt8]], node: String? = nil) throws {
        let loop = try EventLoop()
        var settings = MQTTSettings(host: "127.0.0.1", port: Int32(broker.port), clientID: "flood-" + UUID().uuidString.prefix(8))
        settings.outboxMaxMessages = 100_000
        settings.outboxMaxBytes = 1 << 30
        let client = try MQTTClient(name: "flood", settings: settings, loop: loop)
        let topics = OTATopics(prefix: "switchyard/" + (node ?? self.node))
        client.start()
        guard loop.run(timeout: 10, until: { client.isConnected }) else { throw FixtureError("flood: no broker") }
        for payload in payloads {
            client.publish(topics.manifest, payload, qos: 1, retain: false)
            _ = loop.run(timeout: 10, until: { client.inflightCount + client.outbox.count < 64 })
        }
        _ = loop.run(timeout: 30, until: { client.inflightCount + client.outbox.count == 0 })
        var stopped = false
        client.stop { stopped = true }
        _ = loop.run(timeout: 5, until: { stopped })
    }
}

struct FixtureError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
