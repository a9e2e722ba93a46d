import Foundation

/// An independent MQTT peer for tests: `mosquitto_sub` in the background, collecting lines
/// (`-v` prints "topic payload"). Not our code, so it checks what really went over the wire.
public final class MQTTObserver {
    private let process: Subprocess
    private let output: String
    private let directory = TemporaryDirectory(prefix: "mqtt-observer")

    /// Subscribes to `topics` on 127.0.0.1:`port`; `count` stops it after that many messages.
    public init(port: Int, topics: [String], qos: Int = 1, extraArguments: [String] = []) throws {
        var arguments = ["-h", "127.0.0.1", "-p", String(port), "-v", "-q", String(qos)]
        for topic in topics { arguments += ["-t", topic] }
        output = directory.file("received.txt")
        // A file, not a pipe: mosquitto_sub flushes each line, and nothing can block on it.
        process = try Subprocess("/usr/bin/mosquitto_sub", arguments + extraArguments,
                                 stdout: .file(output), stderr: .file(directory.file("stderr.txt")))
        // mosquitto_sub has no "subscribed" signal; give it a moment to connect and subscribe.
        usleep(300_000)
    }

    /// Lines received so far ("topic payload").
    public var lines: [String] {
        let data = FileManager.default.contents(atPath: output) ?? Data()
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    /// Waits until `predicate` holds for the lines received, or `timeout` passes.
    @discardableResult
    public func wait(timeout: TimeInterval = 5, until predicate: ([String]) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if predicate(lines) { return true }
            usleep(20_000)
        }
        return predicate(lines)
    }
}

/// One-shot MQTT actions through the mosquitto command-line clients.
public enum MQTTTool {
    /// Publishes `message` to `topic` (`mosquitto_pub`).
    public static func publish(port: Int, topic: String, message: String, qos: Int = 1, retain: Bool = false) throws {
        var arguments = ["-h", "127.0.0.1", "-p", String(port), "-t", topic, "-m", message, "-q", String(qos)]
        if retain { arguments.append("-r") }
        let result = try ChildProcess.run(URL(fileURLWithPath: "/usr/bin/mosquitto_pub"), arguments)
        precondition(result.status == 0, "mosquitto_pub failed: \(result.stderr)")
    }

    /// Waits until the retained message on `topic` is `expected`; false after `timeout`.
    public static func waitForRetained(port: Int, topic: String, equals expected: String,
                                       timeout: TimeInterval = 10) throws -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try retained(port: port, topic: topic, timeout: 1) == expected { return true }
            usleep(100_000)
        }
        return false
    }

    /// The retained message on `topic`, or nil (`mosquitto_sub -C 1 -W`).
    public static func retained(port: Int, topic: String, timeout: Int = 2) throws -> String? {
        let result = try ChildProcess.run(URL(fileURLWithPath: "/usr/bin/mosquitto_sub"),
            ["-h", "127.0.0.1", "-p", String(port), "-t", topic, "-C", "1", "-W", String(timeout), "--retained-only"])
        let text = result.stdout.trimmingCharacters(in: .newlines)
        return result.status == 0 && !text.isEmpty ? text : nil
    }
}
