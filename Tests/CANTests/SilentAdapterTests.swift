import CAN
import Foundation
import Runtime
import TestSupport
import Testing
import Uplink

/// A serial port that opens fine but never answers `V` is most likely not an SLCAN adapter
/// (a modem, a console, a different gadget): the tunnel must say so instead of looking
/// healthy while no frame will ever arrive.
@Suite("A silent SLCAN port is reported", .serialized)
struct SilentAdapterTests {
    @Test("no answer to V within the timeout: one warning, degraded health naming the setting")
    func silentPortIsReported() throws {
        var master: Int32 = -1, slave: Int32 = -1
        var name = [CChar](repeating: 0, count: 128)
        #expect(openpty(&master, &slave, &name, nil, nil) == 0)
        defer { close(master); close(slave) }
        let broker = try MosquittoBroker()
        let loop = try EventLoop()
        let client = try CANTestSupport.client(broker, loop: loop)
        let settings = CANTunnelSettings(topics: CANTopics(base: "can", mode: .server)!, ringCapacity: 256)
        let bus = try SLCANBus(path: String(cString: name), bitrate: 500_000, listenOnly: false,
                               versionTimeout: .milliseconds(300))
        let tunnel = try CANTunnel(settings: settings, bus: bus, port: client, loop: loop)
        var changes = 0
        tunnel.onStateChange = { changes += 1 }
        let (reported, lines) = LogCapture.lines {
            CANTestSupport.start(tunnel, client, loop) && loop.run(timeout: 3) { bus.silentAdapter != nil }
        }
        let warnings = LogCapture.alarming(lines)
        #expect(reported)
        let text = try #require(bus.silentAdapter)
        #expect(text.contains("no answer to the version request"))
        #expect(text.contains("can.slcan_device"))
        #expect(warnings.filter { $0.contains("version request") }.count == 1)
        #expect(changes >= 2, "open, then silent: the service republishes its health")

        // The adapter wakes up after all: a version reply clears the report.
        _ = "V1013\r".withCString { write(master, $0, 6) }
        #expect(loop.run(timeout: 3) { bus.silentAdapter == nil })
        #expect(bus.adapterVersion == "1013")
    }

    @Test("a real adapter answers in time and is not reported")
    func answeringAdapterIsNotReported() throws {
        let broker = try MosquittoBroker()
        let sim = try SLCANSimulator()
        let loop = try EventLoop()
        let client = try CANTestSupport.client(broker, loop: loop)
        let settings = CANTunnelSettings(topics: CANTopics(base: "can", mode: .server)!, ringCapacity: 256)
        let bus = try SLCANBus(path: sim.path, bitrate: 500_000, listenOnly: false, versionTimeout: .milliseconds(300))
        let tunnel = try CANTunnel(settings: settings, bus: bus, port: client, loop: loop)
        #expect(CANTestSupport.start(tunnel, client, loop))
        #expect(loop.run(timeout: 3) { bus.adapterVersion != nil })
        loop.run(timeout: 0.5) { false }
        #expect(bus.silentAdapter == nil)
    }
}
