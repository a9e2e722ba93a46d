import Foundation
import JSON
import TestSupport
import Testing

/// A gateway that keeps crashing is started in safe mode: only the console, the uplink and
/// OTA, so a person can still fix settings or push a firmware. The crash that led there is
/// kept on /data and shown by the next start.
@Suite struct SafeModeTests {
    @Test func repeatedCrashesBringUpSafeModeWithTheConsoleAndOTA() throws {
        let pty = ConsolePty()
        let gateway = try OTAGatewayFixture(extra: ["console.device": pty.path])
        // A firmware that crashes right after start, unless started in safe mode (then it is
        // the real gateway): what a crash in any service looks like to the supervisor.
        let script = gateway.work.file("crashing-firmware")
        try """
        #!/bin/sh
        for argument in "$@"; do
          [ "$argument" = --safe-mode ] && exec "\(OTAGatewayFixture.binary.path)" "$@"
        done
        echo "boom: a service trapped at start" >&2
        exit 3
        """.write(toFile: script, atomically: true, encoding: .utf8)
        chmod(script, 0o755)
        try gateway.startSupervisor(factory: script, ["--log", gateway.logPath, "--safe-mode-after", "2"])

        #expect(gateway.waitForLog("starting it in safe mode"), "\(gateway.log)")
        #expect(gateway.waitForLog("SAFE MODE"), "\(gateway.log)")
        #expect(gateway.log.contains("the last run ended"), "the crash kept on /data is shown: \(gateway.log)")

        // The console answers, says safe mode, shows why, and runs only OTA.
        let status = pty.ask("status", expecting: "\"tasks\"").filter { !$0.isWhitespace }
        #expect(status.contains("\"safe_mode\":true"), "\(status)")
        #expect(status.contains("exitstatus3") && status.contains("boom"), "the last crash with its output: \(status)")
        #expect(status.contains("\"ota\":{"), "\(status)")
        #expect(!status.contains("\"benchlab\":{") && !status.contains("\"web\":{"), "nothing else runs: \(status)")
        #expect(pty.ask("ota status", expecting: "\"slot\"").contains("factory"))
        // OTA is on the air: its retained status reaches the broker.
        #expect(gateway.waitForStatus { $0["slot"]?.stringValue == "factory" } != nil, "\(gateway.log)")
        // `log tail` on the console reads the same lines without a shell.
        #expect(pty.ask("log tail 50", expecting: "SAFE MODE").contains("SAFE MODE"))

        // Saving settings is the way out: the gateway asks for a normal start.
        #expect(pty.ask("save", expecting: "saved").contains("saved"))
        #expect(gateway.waitForLog("leaving safe mode"), "\(gateway.log)")
    }
}
