import Foundation

/// The host-built `switchyard run` as a child process against a test broker, with its own
/// data directory and a log file to read.
public final class GatewayProcess {
    public let data: TemporaryDirectory
    public let logPath: String
    public let node: String
    /// The JSON-RPC port this gateway listens on (a free one, so tests can run in parallel).
    public let rpcPort: Int
    public private(set) var process: Subprocess
    private let arguments: [String]
    private let environment: [String: String]

    /// Starts `switchyard run` connected to `broker`; `settings` become environment variables.
    public init(broker: MosquittoBroker, node: String = "test-\(UUID().uuidString.prefix(6).lowercased())",
                extraEnvironment: [String: String] = [:], extraArguments: [String] = [],
                data: TemporaryDirectory? = nil, consoleDevice: String = "none",
                brokerInEnvironment: Bool = true) throws {
        self.data = data ?? TemporaryDirectory(prefix: "gateway")
        self.node = node
        logPath = self.data.file("gateway.log")
        // The broker as environment overrides (the usual case), or as saved settings for a
        // test that changes them while the gateway runs (the environment would win).
        var environment = ["LOG_LEVEL": "debug"]
        var saved = ["node.name": node, "console.device": consoleDevice]
        if brokerInEnvironment {
            environment["MQTT_BROKER"] = "127.0.0.1"
            environment["MQTT_PORT"] = String(broker.port)
        } else {
            saved["mqtt.host"] = "127.0.0.1"
            saved["mqtt.port"] = String(broker.port)
        }
        for (key, value) in extraEnvironment { environment[key] = value }
        // node.name has no environment variable: it goes in the saved settings.
        rpcPort = FreePort.next()
        saved["rpc.port"] = String(rpcPort)
        let config = ChildProcessConfig.set(saved, data: self.data.path)
        precondition(config, "could not save node.name")
        self.environment = environment
        arguments = ["run", "--data", self.data.path] + extraArguments
        process = try Subprocess(Products.executable("switchyard").path, arguments, environment: environment,
                                 stdout: .file(logPath), stderr: .file(logPath))
    }

    public var statusTopic: String { "switchyard/\(node)/status" }
    public var stateTopic: String { "switchyard/\(node)/state" }

    /// The log so far.
    public var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Waits until the log contains `text`.
    @discardableResult
    public func waitForLog(_ text: String, timeout: TimeInterval = 10) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if log.contains(text) { return true }
            usleep(20_000)
        }
        return log.contains(text)
    }

    /// The RPC door's token, which the gateway writes to its data directory at start.
    public var rpcToken: String {
        (try? String(contentsOfFile: data.file("rpc.token"), encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
    }

    /// A client of the gateway's RPC port, authenticated with the token.
    public func rpcClient() throws -> RPCClient {
        let client = try RPCClient(port: rpcPort)
        try client.authenticate(rpcToken)
        return client
    }

    /// Starts the same gateway again (after it exited) with the same data directory.
    public func restart() throws {
        process = try Subprocess(Products.executable("switchyard").path, arguments, environment: environment,
                                 stdout: .file(logPath), stderr: .file(logPath))
    }
}

/// Offline `switchyard config` calls for test setup.
public enum ChildProcessConfig {
    /// Saves each key with `switchyard config set`; true if all succeeded.
    public static func set(_ values: [String: String], data: String) -> Bool {
        for (key, value) in values {
            guard let result = try? ChildProcess.run(Products.executable("switchyard"),
                                                     ["config", "set", key, value, "--data", data]),
                  result.status == 0 else { return false }
        }
        return true
    }
}
