import Crypto
import Foundation
import JSON
import OTA
import Runtime
import TestSupport
import Testing

/// N gateways of the host build on one local mosquitto (issue 30): each with its own data
/// directory and `switchyard supervise`, all in one `ota.group`, trusting one key made by
/// `ota keygen`. What the fleet campaign test and `bench/fleet` roll out to.
final class FleetFixture {
    let broker: MosquittoBroker
    let work = TemporaryDirectory(prefix: "fleet-work")
    let group = "bay-" + UUID().uuidString.prefix(4).lowercased()
    private(set) var gateways: [FleetGateway] = []
    var keyPath: String { work.file("key") }
    static var binary: URL { Products.executable("switchyard") }

    init(count: Int, trialSeconds: Int = 30, stableSeconds: Int = 2) throws {
        broker = try MosquittoBroker()
        let keygen = try ChildProcess.run(FleetFixture.binary, ["ota", "keygen", "--out", work.file("key")])
        precondition(keygen.status == 0, "keygen failed: \(keygen.stderr)")
        let publicKey = try String(contentsOfFile: work.file("key.pub"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        for index in 1...count {
            let node = String(format: "gw-%03d", index)
            gateways.append(try FleetGateway(node: node, broker: broker, settings: [
                "node.name": node, "rpc.port": String(FreePort.next()), "console.device": "none",
                "ota.enabled": "true", "ota.public_keys": publicKey, "ota.trial_s": String(trialSeconds),
                "ota.stable_s": String(stableSeconds), "ota.group": group,
            ]))
        }
    }

    subscript(node: String) -> FleetGateway { gateways.first { $0.node == node }! }

    /// `switchyard fleet <arguments>` against this broker.
    func fleet(_ arguments: [String]) throws -> ProcessResult {
        try ChildProcess.run(FleetFixture.binary, ["fleet"] + arguments + ["--broker", "127.0.0.1:\(broker.port)"])
    }

    /// `fleet rollout` of `file` to the group.
    func rollout(_ file: String, _ extra: [String]) throws -> ProcessResult {
        try fleet(["rollout", "--file", file, "--key", keyPath, "--group", group] + extra)
    }

    /// A copy of the test-built gateway stamped as `version` (as `make firmware VERSION=` does).
    func stamped(version: String) throws -> String {
        let path = work.file("switchyard-\(version)")
        try TestFirmwareFiles.stampedCopy(of: FleetFixture.binary, to: path, version: version)
        chmod(path, 0o755)
        return path
    }

    /// A real ELF built with gcc from `source`.
    func compiled(_ name: String, _ source: String) throws -> String {
        try TestFirmwareFiles.compiled(name, source, in: work)
    }
}

/// One supervised gateway of a `FleetFixture`.
final class FleetGateway {
    let node: String
    let broker: MosquittoBroker
    let data = TemporaryDirectory(prefix: "fleet-gw")
    let logPath: String
    private(set) var supervisor: Subprocess?
    var paths: OTAPaths { OTAPaths(dataDirectory: data.path) }

    /// Writes `settings` as the data directory's config file, in its documented format (one
    /// `config set` per key and gateway would cost a process each).
    init(node: String, broker: MosquittoBroker, settings: [String: String]) throws {
        self.node = node
        self.broker = broker
        logPath = data.file("supervise.log")
        var text = "# switchyard config v1\n"
        for name in settings.keys.sorted() { text += name + "=" + settings[name]! + "\n" }
        text += "# sha256 " + Hex.encode(SHA256.hash(Array(text.utf8))) + "\n"
        try text.write(toFile: data.file("config"), atomically: true, encoding: .utf8)
    }

    deinit { stop() }

    func start() throws {
        supervisor = try Subprocess(FleetFixture.binary.path, ["supervise", "--data", data.path],
                                    environment: ["MQTT_BROKER": "127.0.0.1", "MQTT_PORT": String(broker.port),
                                                  "LOG_LEVEL": "info"],
                                    stdout: .file(logPath), stderr: .file(logPath))
    }

    /// Stops supervisor and gateway as a service manager would (the gateway says `offline`).
    func stop() {
        guard let supervisor else { return }
        supervisor.signal(SIGTERM)
        if supervisor.wait(timeout: 10) == nil { supervisor.signal(SIGKILL) }
        self.supervisor = nil
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    func record() throws -> OTAStateRecord { try OTAStateStore(paths: paths).load() }

    /// Waits until `text` is in the log.
    @discardableResult
    func waitForLog(_ text: String, timeout: TimeInterval = 30) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if log.contains(text) { return true }
            usleep(100_000)
        }
        return false
    }

    /// Waits until the state record satisfies `predicate`.
    @discardableResult
    func waitForRecord(timeout: TimeInterval = 60, _ predicate: (OTAStateRecord) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let record = try? record(), predicate(record) { return true }
            usleep(200_000)
        }
        return false
    }
}
