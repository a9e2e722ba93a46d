import Foundation
import TestSupport
import Testing

/// A setting that cannot work never ends the process: the gateway starts degraded, the
/// LED shows a fault, the console answers `status` naming the key, and the uplink keeps
/// the broker settings that last connected (issue: one bad setting killed everything).
@Suite("switchyard run: a bad setting degrades, never kills", .serialized)
struct GatewayDegradedStartTests {
    /// A directory shaped like /sys/class/leds/<name>/.
    private func ledDirectory() -> TemporaryDirectory {
        let directory = TemporaryDirectory(prefix: "led")
        _ = FileManager.default.createFile(atPath: directory.file("brightness"), contents: Data("0\n".utf8))
        _ = FileManager.default.createFile(atPath: directory.file("trigger"), contents: Data("mmc0\n".utf8))
        return directory
    }

    /// Whether the LED file shows both on and off within `timeout` (a blinking pattern).
    private func blinks(_ led: TemporaryDirectory, timeout: TimeInterval = 5) -> Bool {
        var seen: Set<String> = []
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline && !seen.isSuperset(of: ["0", "1"]) {
            // A read may catch the file between the LED's truncate and its write: empty.
            if let value = try? String(contentsOfFile: led.file("brightness"), encoding: .utf8) {
                seen.insert(value.trimmingCharacters(in: .whitespacesAndNewlines))
            }
            usleep(20_000)
        }
        return seen.isSuperset(of: ["0", "1"])
    }

    /// JSON as the console prints it, without the layout's whitespace.
    private func compact(_ text: String) -> String { text.filter { !$0.isWhitespace } }

    private func statusLine(_ pty: ConsolePty) -> String {
        pty.ask("status", expecting: "\"tasks\"")
    }

    @Test func aMissingCAFileAfterARestartKeepsTheConsoleAndTheLastGoodBroker() throws {
        let broker = try MosquittoBroker()
        let pty = ConsolePty()
        let led = ledDirectory()
        let gateway = try GatewayProcess(broker: broker, consoleDevice: pty.path, brokerInEnvironment: false)
        #expect(try MQTTTool.waitForRetained(port: broker.port, topic: gateway.statusTopic, equals: "online"),
                "\(gateway.log)")
        // Saved while running: the running connection stays (the file is checked at the next start).
        let ca = gateway.data.file("broker-ca.pem")
        #expect(FileManager.default.createFile(atPath: ca, contents: Data("not yet\n".utf8)))
        #expect(pty.ask("set mqtt.tls.ca_file \(ca)", expecting: "mqtt.tls.ca_file").contains("mqtt.tls.ca_file"))
        #expect(pty.ask("set led.path \(led.path)", expecting: "led.path").contains("led.path"))
        _ = pty.ask("save", expecting: "saved")
        try FileManager.default.removeItem(atPath: ca)
        #expect(pty.ask("restart", expecting: "restarting").contains("restarting"))
        #expect(gateway.waitForLog("setting mqtt.tls.ca_file: cannot read", timeout: 15), "\(gateway.log)")

        #expect(gateway.process.isRunning, "\(gateway.log)")
        let status = statusLine(pty)
        #expect(status.contains("mqtt.tls.ca_file"), "status names the key: \(status)")
        #expect(compact(status).contains("\"led\":\"fault\""), "\(status)")
        #expect(blinks(led), "the LED file shows the fault pattern")
        #expect((try? String(contentsOfFile: led.file("trigger"), encoding: .utf8))?.contains("none") == true)
        // The uplink came back with the settings that last connected, so the broker sees it too.
        #expect(gateway.waitForLog("using the ones that last connected"), "\(gateway.log)")
        let deadline = Date().addingTimeInterval(15)
        var state = ""
        while Date() < deadline && !state.contains("mqtt.tls.ca_file") {
            state = try MQTTTool.retained(port: broker.port, topic: gateway.stateTopic) ?? ""
        }
        #expect(state.contains("mqtt.tls.ca_file"), "the state heartbeat names the key: \(state)")
        gateway.process.signal(SIGTERM)
        #expect(gateway.process.wait(timeout: 15)?.status == 0)
    }

    @Test func aBadHostNameNamesTheKeyAndTheConsoleStillAnswers() throws {
        let broker = try MosquittoBroker()
        let pty = ConsolePty()
        let led = ledDirectory()
        let gateway = try GatewayProcess(broker: broker, extraEnvironment: ["MQTT_BROKER": "bad host name!"],
                                         consoleDevice: pty.path)
        #expect(ChildProcessConfig.set(["led.path": led.path], data: gateway.data.path))
        #expect(gateway.waitForLog("setting mqtt.host"), "\(gateway.log)")
        // Restart so the LED path saved above is in force; the process must survive both starts.
        #expect(pty.ask("restart", expecting: "restarting").contains("restarting"))
        let deadline = Date().addingTimeInterval(15)
        while Date() < deadline && gateway.log.components(separatedBy: "setting mqtt.host").count < 3 { usleep(50_000) }
        #expect(gateway.process.isRunning, "\(gateway.log)")
        let status = statusLine(pty)
        #expect(status.contains("mqtt.host") && status.contains("bad host name!"), "\(status)")
        #expect(compact(status).contains("\"led\":\"fault\""), "\(status)")
        #expect(blinks(led), "the LED file shows the fault pattern: \(gateway.log)")
        #expect(gateway.log.contains("uplink not started"), "no broker settings ever connected here: \(gateway.log)")
        gateway.process.signal(SIGTERM)
        #expect(gateway.process.wait(timeout: 15)?.status == 0)
    }
}
