import Foundation

/// An independent MQTT peer for tests: `mosquitto_sub` in the background, collecting lines
/// (`-v` prints "topic payload"). Not our code, so it checks what really went over the wire.
public final class MQTTObserver {
    private let process: Subprocess
    private let output: String
    private let directory = TemporaryDirectory(prefix: "mqtt-observer")
    /// Its client id: the debug lines (`-d`) it prints start with "Client <id> ".
    private let clientID = "observer-" + UUID().uuidString.prefix(8).lowercased()

    /// Subscribes to `topics` on 127.0.0.1:`port` and returns once the broker acknowledged the
    /// subscription (its SUBACK), so nothing published after this is missed.
    public init(port: Int, topics: [String], qos: Int = 1, extraArguments: [String] = [], timeout: TimeInterval = 10) throws {
        // -d prints the client's own protocol log ("received SUBACK") among the messages;
        // `lines` leaves those out.
        var arguments = ["-h", "127.0.0.1", "-p", String(port), "-v", "-q", String(qos), "-d", "-i", clientID]
        for topic in topics { arguments += ["-t", topic] }
        output = directory.file("received.txt")
        // A file, not a pipe: nothing can block on it. mosquitto_sub flushes each message it
        // prints but not its debug lines: stdbuf makes stdout line-buffered so the SUBACK
        // line is in the file when it happens.
        process = try Subprocess("/usr/bin/stdbuf", ["-oL", "/usr/bin/mosquitto_sub"] + arguments + extraArguments,
                                 stdout: .file(output), stderr: .file(directory.file("stderr.txt")))
        let deadline = Date().addingTimeInterval(timeout)
        while !subscribed {
            guard process.isRunning, Date() < deadline else {
                throw ObserverError.notSubscribed(port: port, topics: topics, output: debugText
                    + ((try? String(contentsOfFile: directory.file("stderr.txt"), encoding: .utf8)) ?? ""))
            }
            usleep(5_000) // poll interval of this wait
            refresh()
        }
    }

    /// Bytes of the output already split into lines; only what follows is read on each look
    /// (tests poll `lines` in their wait conditions, and the output grows to thousands of lines).
    private var consumed: UInt64 = 0
    private var received: [String] = []
    private var subscribed = false

    /// Reads the complete lines printed since the last look, sorting out the debug ones.
    private func refresh() {
        guard let handle = FileHandle(forReadingAtPath: output) else { return }
        defer { try? handle.close() }
        guard (try? handle.seek(toOffset: consumed)) != nil, let data = try? handle.readToEnd(),
              let end = data.lastIndex(of: UInt8(ascii: "\n")) else { return }
        let complete = data[data.startIndex...end]
        consumed += UInt64(complete.count)
        for line in String(decoding: complete, as: UTF8.self).split(separator: "\n") {
            if line.hasPrefix("Client \(clientID) ") || line.hasPrefix("Subscribed (mid: ") {
                if line.hasSuffix(" received SUBACK") { subscribed = true }
            } else {
                received.append(String(line))
            }
        }
    }

    /// mosquitto_sub's own log so far (for a failure message).
    private var debugText: String {
        let data = FileManager.default.contents(atPath: output) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    /// Lines received so far ("topic payload").
    public var lines: [String] {
        refresh()
        return received
    }

    /// The payloads received on exactly `topic`, in order (for the default "topic payload" format).
    public func payloads(on topic: String) -> [String] {
        let prefix = topic + " "
        return lines.filter { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) }
    }

    public enum ObserverError: Error, CustomStringConvertible {
        case notSubscribed(port: Int, topics: [String], output: String)
        public var description: String {
            switch self {
            case .notSubscribed(let port, let topics, let output):
                return "mosquitto_sub on port \(port) got no SUBACK for \(topics):\n\(output)"
            }
        }
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

    /// The retained message on `topic`, or nil (`mosquitto_sub -C 1 -W`). coreutils' `timeout`
    /// ends it too: its `-W` rests on SIGALRM, which a child of the test process can inherit
    /// blocked, and then a topic without a retained message held the test for minutes.
    public static func retained(port: Int, topic: String, timeout: Int = 2) throws -> String? {
        let result = try ChildProcess.run(URL(fileURLWithPath: "/usr/bin/timeout"),
            ["-s", "KILL", String(timeout + 2), "/usr/bin/mosquitto_sub",
             "-h", "127.0.0.1", "-p", String(port), "-t", topic, "-C", "1", "-W", String(timeout), "--retained-only"])
        let text = result.stdout.trimmingCharacters(in: .newlines)
        return result.status == 0 && !text.isEmpty ? text : nil
    }
}
