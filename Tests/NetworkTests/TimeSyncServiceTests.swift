import Foundation
import Runtime
import ServiceKit
import ServiceTestSupport
import Testing
import TestSupport
@testable import Network

/// The time service against tools/sntp-server.py on loopback. The clock step is recorded,
/// never applied: these tests run as root on CI and must not move the machine's clock.
/// `ClockTrust` is process-wide: each test puts it back to `.unmanaged`.
@Suite("Time sync service", .serialized)
struct TimeSyncServiceTests {
    @Test func aServerAheadIsBelievedTheStepRecordedAndTLSAllowed() throws {
        try ClockTrustTestLock.hold {
            let (server, rig) = try aheadServerAndRig()
            defer { ClockTrust.set(.unmanaged) }
            let service = NetworkService(context: rig.context())
            var steps: [Int64] = []
            service.stepClock = { steps.append($0); return true }
            service.dhcpServersPath = nil
            // No RTC on this board: nothing written, no `rtc` in the state.
            service.rtc = RealTimeClock(path: rig.directory.file("rtc0"))
            try service.start()
            #expect(ClockTrust.state == .waiting || ClockTrust.state == .synchronised)
            #expect(rig.run(timeout: 10) { ClockTrust.state == .synchronised })
            #expect(steps.count == 1)
            #expect(abs((steps.first ?? 0) - 100_000_000) < 1_000_000, "stepped by \(steps)")
            #expect(server.records.contains { $0.hasPrefix("answered 127.0.0.1") })
            let state = service.stateJSON().description
            #expect(state.contains("\"synchronised\":true"), "\(state)")
            #expect(state.contains("\"server\":\"127.0.0.1:" + server.firstLine + "\""), "\(state)")
            #expect(!state.contains("\"rtc\""), "\(state)")
            // The time is saved for the next boot.
            let saved = try String(contentsOfFile: rig.store.dataDirectory + "/clock", encoding: .utf8)
            #expect(Int64(saved.trimmingCharacters(in: .whitespacesAndNewlines)) != nil, "\(saved)")
            service.stop()
        }
    }

    /// A device at the RTC's path that refuses RTC_SET_TIME (here a plain file: ENOTTY) is
    /// reported in `time status`; the sync itself stands. (A real /dev/rtc0 is written in the
    /// qemu boot test's guest, never on the machine running these tests.)
    @Test func anRTCThatCannotBeSetIsReportedAndTheSyncStands() throws {
        try ClockTrustTestLock.hold {
            let (server, rig) = try aheadServerAndRig()
            defer { withExtendedLifetime(server) {}; ClockTrust.set(.unmanaged) }
            let context = rig.context()
            let service = NetworkService(context: context)
            service.stepClock = { _ in true }
            service.dhcpServersPath = nil
            let fake = rig.directory.file("rtc0")
            try "not an rtc\n".write(toFile: fake, atomically: true, encoding: .utf8)
            service.rtc = RealTimeClock(path: fake)
            try service.start()
            #expect(rig.run(timeout: 10) { ClockTrust.state == .synchronised })
            let state = service.stateJSON().description
            #expect(state.contains("\"rtc\":{\"device\":\"" + fake + "\""), "\(state)")
            #expect(state.contains("\"problem\":\"cannot set " + fake), "\(state)")
            #expect(!state.contains("\"written\""), "\(state)")
            if case .ok = context.health {} else { Issue.record("health \(context.health.name), expected ok") }
            service.stop()
        }
    }

    @Test func noServerKeepsTLSWaitingAndSaysSo() throws {
        try ClockTrustTestLock.hold {
            let rig = try ServiceRig(descriptor: NetworkService.descriptor,
                                     settings: ["network.enabled": "true", "time.tls_waits": "true", "time.servers": "no-such-host.invalid"],
                                     broker: false)
            defer { ClockTrust.set(.unmanaged) }
            let context = rig.context()
            let service = NetworkService(context: context)
            service.stepClock = { _ in Issue.record("no server, no step"); return false }
            service.dhcpServersPath = nil
            try service.start()
            #expect(ClockTrust.state == .waiting)
            #expect(!ClockTrust.allowsTLS)
            #expect(rig.run(timeout: 20) { service.stateJSON().description.contains("\"problem\"") })
            if case .degraded(let why) = context.health {
                #expect(why.contains("TLS connections wait"), "\(why)")
            } else {
                Issue.record("health \(context.health.name), expected degraded")
            }
            service.stop()
            // Nothing synchronises the clock any more: TLS must not wait for it.
            #expect(ClockTrust.allowsTLS)
        }
    }

    @Test func withoutTLSWaitsTheGateStaysOpen() throws {
        try ClockTrustTestLock.hold {
            let rig = try ServiceRig(descriptor: NetworkService.descriptor,
                                     settings: ["network.enabled": "true", "time.servers": "no-such-host.invalid"],
                                     broker: false)
            defer { ClockTrust.set(.unmanaged) }
            let service = NetworkService(context: rig.context())
            service.stepClock = { _ in false }
            service.dhcpServersPath = nil
            try service.start()
            #expect(ClockTrust.state == .unmanaged)
            #expect(rig.run(timeout: 20) { service.stateJSON().description.contains("\"problem\"") })
            #expect(ClockTrust.allowsTLS)
            service.stop()
        }
    }

    @Test func aDamagedDataPartitionShowsAFaultAndSaysSo() throws {
        try ClockTrustTestLock.hold {
            let rig = try ServiceRig(descriptor: NetworkService.descriptor,
                                     settings: ["network.enabled": "true", "time.tls_waits": "true", "time.servers": "no-such-host.invalid"],
                                     broker: false)
            defer { ClockTrust.set(.unmanaged) }
            let context = rig.context()
            let service = NetworkService(context: context)
            service.stepClock = { _ in false }
            service.dhcpServersPath = nil
            service.dataStatePath = rig.directory.file("data-state")
            try "damaged\n".write(toFile: service.dataStatePath, atomically: true, encoding: .utf8)
            try service.start()
            #expect(context.attention == .fault)
            #expect(service.stateJSON().description.contains("\"data_partition\":\"damaged\""))
            service.stop()

            try "repaired\n".write(toFile: service.dataStatePath, atomically: true, encoding: .utf8)
            let next = NetworkService(context: rig.context())
            next.dhcpServersPath = nil
            next.dataStatePath = service.dataStatePath
            try next.start()
            #expect(next.stateJSON().description.contains("\"data_partition\":\"repaired\""))
            next.stop()
        }
    }

    @Test func aBadServerSettingFailsTheStartNamingTheKey() throws {
        try ClockTrustTestLock.hold {
            let rig = try ServiceRig(descriptor: NetworkService.descriptor,
                                     settings: ["network.enabled": "true", "time.tls_waits": "true", "time.servers": "pool.ntp.org:99999"],
                                     broker: false)
            defer { ClockTrust.set(.unmanaged) }
            let service = NetworkService(context: rig.context())
            #expect(throws: ServiceError.self) { try service.start() }
            #expect(ClockTrust.allowsTLS)
        }
    }

    /// An SNTP server 100 s ahead on loopback, and a network service rig that asks only it
    /// with TLS waiting for the clock.
    private func aheadServerAndRig() throws -> (ToolSimulator, ServiceRig) {
        let server = try ToolSimulator("sntp-server.py", ["--offset", "100"])
        let rig = try ServiceRig(descriptor: NetworkService.descriptor,
                                 settings: ["network.enabled": "true", "time.tls_waits": "true", "time.servers": "127.0.0.1:" + server.firstLine],
                                 broker: false)
        return (server, rig)
    }
}
