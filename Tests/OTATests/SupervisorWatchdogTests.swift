import Foundation
import OTA
import Runtime
import TestSupport
import Testing

/// Issue 27, item 3: the watchdog with real processes. `switchyard supervise` runs the
/// test-built gateway against a real mosquitto and feeds a regular file given as its
/// watchdog device (`--watchdog`), which the tests read: one byte per feed, `V` at the end
/// of a clean stop.
@Suite struct SupervisorWatchdogTests {
    /// A firmware that beats once, as the gateway does when its run loop starts, and then
    /// hangs for good: restarting it never brings the heartbeats back.
    static let beatOnceThenHang = "#include <unistd.h>\nint main(void) { write(3, \".\", 1); for (;;) pause(); }\n"

    /// A gateway fixture feeding `<data>/watchdog` every second (timeout 3 s) and calling a
    /// gateway silent after 2 s.
    static func fixture() throws -> (OTAGatewayFixture, String) {
        let gateway = try OTAGatewayFixture(extra: ["watchdog.timeout_s": "3", "watchdog.gateway_silence_s": "2"])
        let device = gateway.data.file("watchdog")
        #expect(FileManager.default.createFile(atPath: device, contents: nil))
        return (gateway, device)
    }

    static func bytes(_ path: String) -> [UInt8] { Array((try? Data(contentsOf: URL(fileURLWithPath: path))) ?? Data()) }

    /// Waits until the watchdog file holds at least `count` bytes.
    static func waitForFeeds(_ path: String, count: Int, timeout: TimeInterval) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if bytes(path).count >= count { return true }
            usleep(100_000)
        }
        return false
    }

    @Test func aStoppedGatewayIsKilledAndRestartedAndTheWatchdogStaysFed() throws {
        let (gateway, device) = try SupervisorWatchdogTests.fixture()
        try gateway.startSupervisor(["--watchdog", device])
        #expect(gateway.waitForLog("slot factory reported healthy"), "\(gateway.log)")
        let stuck = try #require(gateway.gatewayPID)
        kill(stuck, SIGSTOP)
        #expect(gateway.waitForLog("gateway silent for", timeout: 15), "\(gateway.log)")
        #expect(gateway.waitForLog("supervise: started slot", count: 2, timeout: 15), "\(gateway.log)")
        let restarted = try #require(gateway.gatewayPID)
        #expect(restarted != stuck)
        #expect(kill(stuck, 0) != 0, "the stopped gateway was not killed")
        #expect(gateway.waitForLog("slot factory reported healthy", count: 2), "\(gateway.log)")
        // The new gateway beats: more than three limits later it still runs, was not called
        // silent again, and the watchdog was fed all along.
        let fed = SupervisorWatchdogTests.bytes(device).count
        #expect(SupervisorWatchdogTests.waitForFeeds(device, count: fed + 7, timeout: 15), "\(gateway.log)")
        #expect(gateway.log.components(separatedBy: "gateway silent for").count - 1 == 1, "\(gateway.log)")
        #expect(gateway.gatewayPID == restarted && kill(restarted, 0) == 0, "\(gateway.log)")
        #expect(!gateway.log.contains("no longer feeding"), "\(gateway.log)")
    }

    @Test func aGatewayThatStaysSilentThroughRestartsStopsTheFeeding() throws {
        let (gateway, device) = try SupervisorWatchdogTests.fixture()
        let hung = try gateway.compiled("hung", SupervisorWatchdogTests.beatOnceThenHang)
        try gateway.startSupervisor(factory: hung, ["--watchdog", device])
        #expect(gateway.waitForLog("hardware watchdog armed"), "\(gateway.log)")
        // Two restarts (1 s and 2 s of backoff) at 2 s of silence each, then the third.
        #expect(gateway.waitForLog("gateway silent for 2 s: restarting it", count: 2, timeout: 20), "\(gateway.log)")
        #expect(gateway.waitForLog("letting the watchdog reset the board", timeout: 20), "\(gateway.log)")
        #expect(gateway.waitForLog("no longer feeding the hardware watchdog", timeout: 5), "\(gateway.log)")
        // Fed every second before: now nothing for more than two feed periods (a board resets after 3 s).
        let unfed = SupervisorWatchdogTests.bytes(device).count
        #expect(!SupervisorWatchdogTests.waitForFeeds(device, count: unfed + 1, timeout: 2.5), "\(gateway.log)")
        #expect(!SupervisorWatchdogTests.bytes(device).contains(UInt8(ascii: "V")))
    }

    @Test func aCleanStopWritesTheMagicClose() throws {
        let (gateway, device) = try SupervisorWatchdogTests.fixture()
        try gateway.startSupervisor(["--watchdog", device])
        #expect(gateway.waitForLog("slot factory reported healthy"), "\(gateway.log)")
        #expect(SupervisorWatchdogTests.waitForFeeds(device, count: 2, timeout: 10))
        let supervisor = try #require(gateway.supervisor)
        supervisor.signal(SIGTERM)
        let ended = supervisor.wait(timeout: 20)
        #expect(ended?.status == 0 && ended?.killedBySignal == false, "\(gateway.log)")
        let written = SupervisorWatchdogTests.bytes(device)
        #expect(written.last == UInt8(ascii: "V"), "\(written)")
        #expect(written.dropLast().allSatisfy { $0 == UInt8(ascii: ".") }, "\(written)")
        #expect(gateway.log.contains("hardware watchdog disarmed (clean stop)"), "\(gateway.log)")
    }

    /// The settings are read again before each start of the gateway: saved while it runs,
    /// they apply when it starts again (here after a crash; `restart` is the same path), as
    /// `config set` says, not only at the next boot.
    @Test func savedSettingsApplyWhenTheGatewayStartsAgain() throws {
        let (gateway, device) = try SupervisorWatchdogTests.fixture()
        try gateway.startSupervisor(["--watchdog", device])
        #expect(gateway.waitForLog("slot factory reported healthy"), "\(gateway.log)")
        #expect(gateway.log.contains("hardware watchdog armed: the board resets after 3 s"), "\(gateway.log)")

        /// Saves `values`, kills the running gateway, waits for the next one to start.
        func savedThenCrash(_ values: [String: String], starts: Int) throws {
            #expect(ChildProcessConfig.set(values, data: gateway.data.path))
            kill(try #require(gateway.gatewayPID), SIGKILL)
            #expect(gateway.waitForLog("supervise: started slot", count: starts, timeout: 20), "\(gateway.log)")
        }
        try savedThenCrash(["watchdog.timeout_s": "6", "watchdog.gateway_silence_s": "5", "ota.trial_s": "40"], starts: 2)
        #expect(gateway.log.contains("hardware watchdog re-timed: the board resets after 6 s"), "\(gateway.log)")
        #expect(gateway.log.contains("watchdog.gateway_silence_s is now 5 s"), "\(gateway.log)")
        #expect(gateway.log.contains("ota.trial_s is now 40 s, ota.stable_s 2 s"), "\(gateway.log)")

        try savedThenCrash(["watchdog.timeout_s": "0"], starts: 3)
        #expect(gateway.log.contains("watchdog.timeout_s is now 0: hardware watchdog disarmed"), "\(gateway.log)")
        let disarmed = SupervisorWatchdogTests.bytes(device)
        #expect(disarmed.last == UInt8(ascii: "V"), "the magic close: \(disarmed)")
        // Fed every 2 s at 6 s: nothing more once disarmed.
        #expect(!SupervisorWatchdogTests.waitForFeeds(device, count: disarmed.count + 1, timeout: 3), "\(gateway.log)")

        // Opened again, the file is written from its start: empty it first to count the feeds.
        #expect(truncate(device, 0) == 0)
        try savedThenCrash(["watchdog.timeout_s": "3"], starts: 4)
        #expect(gateway.waitForLog("hardware watchdog armed", count: 2, timeout: 5), "\(gateway.log)")
        #expect(SupervisorWatchdogTests.waitForFeeds(device, count: 2, timeout: 5), "fed again: \(gateway.log)")
        #expect(gateway.log.components(separatedBy: "gateway silent for").count == 1, "no gateway was taken for hung: \(gateway.log)")
    }
}

/// The silence rules without processes.
@Suite struct GatewaySilenceTests {
    let start = Instant(nanoseconds: 1_000_000_000)

    @Test func aGatewayThatNeverBeatsIsNotWatched() {
        var silence = GatewaySilence(limit: .seconds(2))
        silence.started(at: start)
        #expect(silence.check(at: start + .seconds(100)) == .alive)
    }

    @Test func silenceRestartsTwiceThenStopsTheFeedingUntilAGatewayRecovers() {
        var silence = GatewaySilence(limit: .seconds(2))
        var now = start
        for kill in 1...3 {
            silence.started(at: now)
            silence.beat(at: now)
            #expect(silence.check(at: now + .seconds(1)) == .alive)
            now = now + .seconds(2)
            let verdict = silence.check(at: now)
            #expect(verdict == (kill <= 2 ? .restart(silent: .seconds(2)) : .reset(silent: .seconds(2))))
            #expect(silence.feedsWatchdog == (kill <= 2))
        }
        // A gateway still beating a limit after its start has recovered.
        silence.started(at: now)
        silence.beat(at: now + .seconds(1))
        #expect(!silence.feedsWatchdog)
        silence.beat(at: now + .seconds(2))
        #expect(silence.feedsWatchdog && silence.silentKills == 0)
    }

    @Test func zeroTurnsTheCheckOff() {
        var silence = GatewaySilence(limit: .zero)
        silence.started(at: start)
        silence.beat(at: start)
        #expect(silence.check(at: start + .seconds(1000)) == .alive)
    }

    @Test func theHeartbeatPeriodIsAQuarterOfTheLimitWithinWhatTheGatewayAccepts() {
        #expect(GatewaySilence(limit: .seconds(60)).heartbeatPeriod == .seconds(15))
        #expect(GatewaySilence(limit: .milliseconds(200)).heartbeatPeriod == .milliseconds(100))
        #expect(GatewaySilence(limit: .seconds(3600)).heartbeatPeriod == .seconds(60))
    }
}
