import JSON
import ServiceKit
import TestSupport

/// What the BLE service tests share beyond the `ServiceRig` around the service: `bcms` without
/// a reply callback, and the last published reading on a topic.
enum BLETestSupport {
    static func bcms(_ registry: CommandRegistry, _ arguments: [String], origin: CommandRequest.Origin = .console)
        -> CommandReply
    {
        registry.execute("bcms", CommandRequest(origin: origin, arguments: arguments))
    }

    /// The JSON payload of the last observer line on `topic`.
    static func last(_ observer: MQTTObserver, _ topic: String) -> JSONValue? {
        guard let line = observer.lines.last(where: { $0.hasPrefix(topic + " ") }) else { return nil }
        return try? JSONValue.parse(Array(line.dropFirst(topic.count + 1).utf8))
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
