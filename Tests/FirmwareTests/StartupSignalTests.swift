import Foundation
import TestSupport
import Testing

/// A supervisor or an impatient user may send SIGTERM while the gateway is still starting:
/// it must shut down cleanly (exit 0), never die by the signal's default action.
@Suite("switchyard run: SIGTERM during start-up exits cleanly", .serialized)
struct StartupSignalTests {
    /// SIGTERM blocked in the process's mask: the entry point got to run.
    private func blocksSIGTERM(_ pid: Int32) -> Bool {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("SigBlk:") }),
              let mask = UInt64(line.dropFirst("SigBlk:".count).trimmingCharacters(in: .whitespaces), radix: 16)
        else { return false }
        return mask & (1 << UInt64(SIGTERM - 1)) != 0
    }

    @Test("SIGTERM at 20 moments of start-up: each run exits 0 after a clean stop")
    func earlySigterm() throws {
        let broker = try MosquittoBroker()
        for round in 0..<20 {
            let data = TemporaryDirectory(prefix: "early-term")
            let log = data.file("gateway.log")
            let process = try Subprocess(Products.executable("switchyard").path, ["run", "--data", data.path],
                                         environment: ["MQTT_BROKER": "127.0.0.1", "MQTT_PORT": String(broker.port),
                                                       "LOG_LEVEL": "info"],
                                         stdout: .file(log), stderr: .file(log))
            let deadline = Date().addingTimeInterval(10)
            while Date() < deadline && !blocksSIGTERM(process.pid) { usleep(200) }
            // From the first instant the entry point ran to a few milliseconds into start-up.
            usleep(UInt32(round % 10) * 1_000)
            process.signal(SIGTERM)
            let exit = try #require(process.wait(timeout: 10), "still running after SIGTERM (round \(round))")
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            #expect(!exit.killedBySignal && exit.status == 0, "round \(round): \(exit) \(text)")
        }
    }
}
