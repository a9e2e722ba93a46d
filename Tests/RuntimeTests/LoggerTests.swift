import Runtime
import Testing
import Foundation

@Suite("Logger")
struct LoggerTests {
    @Test("JSON lines carry time, level, name, message and escape them")
    func jsonLine() throws {
        let line = Logger.format(level: .warning, name: "can", message: "bad \"frame\"\n\u{1}",
                                 millisecondsSinceEpoch: 1_732_179_000_123, format: .json)
        let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: String]
        #expect(object["time"] == "2024-11-21T08:50:00.123Z")
        #expect(object["level"] == "WARNING")
        #expect(object["name"] == "can")
        #expect(object["message"] == "bad \"frame\"\n\u{1}")
    }

    @Test("plain lines read naturally")
    func plainLine() {
        let line = Logger.format(level: .info, name: "uplink", message: "connected",
                                 millisecondsSinceEpoch: 0, format: .plain)
        #expect(line == "1970-01-01T00:00:00.000Z INFO uplink: connected")
    }

    @Test("level names parse like Python's logging")
    func levelNames() {
        #expect(LogLevel(name: "DEBUG") == .debug)
        #expect(LogLevel(name: "warn") == .warning)
        #expect(LogLevel(name: "loud") == nil)
    }
}
