import CAN
import Foundation
import Runtime
import TestSupport
import Uplink

/// Shared pieces of the CAN end-to-end tests.
enum CANTestSupport {
    /// An uplink to `broker` on `loop`.
    static func client(_ broker: MosquittoBroker, loop: EventLoop) throws -> MQTTClient {
        var settings = MQTTSettings(host: "127.0.0.1", port: Int32(broker.port),
                                    clientID: "can-test-\(UUID().uuidString.prefix(8))")
        settings.keepaliveSeconds = 10
        return try MQTTClient(name: "uplink", settings: settings, loop: loop)
    }

    /// Starts `tunnel` and `client` and waits until the client is connected and subscribed.
    static func start(_ tunnel: CANTunnel, _ client: MQTTClient, _ loop: EventLoop) -> Bool {
        do { try tunnel.start() } catch { return false }
        client.start()
        let connected = loop.run(timeout: 5) { client.isConnected }
        let subscribed = loop.run(timeout: 5) { client.subscriptionsAnswered }
        return connected && subscribed && tunnel.state == .open
    }

    /// Publishes binary `payload` with an independent client (`mosquitto_pub -f`).
    static func publish(port: Int, topic: String, payload: [UInt8]) throws {
        let directory = TemporaryDirectory(prefix: "can-payload")
        let file = directory.file("payload.bin")
        _ = FileManager.default.createFile(atPath: file, contents: Data(payload))
        let result = try ChildProcess.run(URL(fileURLWithPath: "/usr/bin/mosquitto_pub"),
                                          ["-h", "127.0.0.1", "-p", String(port), "-t", topic, "-f", file, "-q", "1"])
        precondition(result.status == 0, "mosquitto_pub failed: \(result.stderr)")
    }

    /// A payload as PyMQTT2CAN builds it: timestamp, flags, data.
    static func payload(flags: UInt8, data: [UInt8], timestamp: UInt64 = 1_700_000_000_123_456) -> [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: timestamp >> (8 * UInt64($0))) } + [flags] + data
    }

    /// An observer printing `topic hexpayload` lines (mosquitto_sub -F '%t %x').
    static func observer(_ broker: MosquittoBroker, topics: [String]) throws -> MQTTObserver {
        try MQTTObserver(port: broker.port, topics: topics, qos: 0, extraArguments: ["-F", "%t %x"])
    }

    /// Splits an observer line into its topic, the payload's timestamp, and the hex after it.
    static func split(_ line: String) -> (topic: String, timestamp: UInt64, rest: String)? {
        let parts = line.split(separator: " ")
        guard parts.count == 2, parts[1].count >= 18 else { return nil }
        let hex = Array(parts[1])
        var stamp: UInt64 = 0
        for index in 0..<8 {
            guard let byte = UInt8(String(hex[(2 * index)..<(2 * index + 2)]), radix: 16) else { return nil }
            stamp |= UInt64(byte) << (8 * UInt64(index))
        }
        return (String(parts[0]), stamp, String(hex[16...]))
    }

    /// Microseconds since the epoch, as the payload's timestamp counts.
    static var nowMicroseconds: UInt64 { UInt64(Date().timeIntervalSince1970 * 1_000_000) }
}
