import CAN
import Foundation
import Runtime
import TestSupport
import Testing
import Uplink

/// An SLCAN adapter's replies are the bus's business: the tunnel only counts the generic
/// events the bus reports back (refusals, bus errors) and shows the bus's own state.
@Suite("SLCAN replies are interpreted by the bus", .serialized)
struct SLCANRepliesTests {
    @Test("BEL counts as an adapter error, error status flags as a bus error; other flags as nothing")
    func refusalsAndStatusFlags() throws {
        let broker = try MosquittoBroker()
        let sim = try SLCANSimulator()
        let loop = try EventLoop()
        let client = try CANTestSupport.client(broker, loop: loop)
        let bus = try SLCANBus(path: sim.path, bitrate: 500_000)
        let tunnel = try CANTunnel(settings: CANTunnelSettings(topics: CANTopics(base: "can", mode: .server)!, ringCapacity: 256),
                                   bus: bus, port: client, loop: loop)
        #expect(CANTestSupport.start(tunnel, client, loop))
        #expect(loop.run(timeout: 3) { bus.adapterVersion != nil })
        let (_, lines) = LogCapture.lines {
            sim.raw("\\a")
            sim.raw("F01\\r") // RX queue full only: not a bus error
            sim.raw("F84\\r") // bus error + error warning
            sim.emit("t1231AA")
            loop.run(timeout: 3) { tunnel.stats.framesFromBus == 1 }
        }
        #expect(tunnel.stats.adapterErrors == 1)
        #expect(tunnel.stats.busErrors == 1)
        let warnings = LogCapture.alarming(lines)
        #expect(warnings.contains { $0.contains("the adapter refused a command (BEL)") })
        #expect(warnings.contains { $0.contains("adapter status flags 0x84") })
        #expect(tunnel.state == .open)
    }

    @Test("the adapter's version and a silent port show in the bus's own state block")
    func versionAndSilenceInState() throws {
        var master: Int32 = -1, slave: Int32 = -1
        var name = [CChar](repeating: 0, count: 128)
        #expect(openpty(&master, &slave, &name, nil, nil) == 0)
        defer { close(master); close(slave) }
        let broker = try MosquittoBroker()
        let loop = try EventLoop()
        let client = try CANTestSupport.client(broker, loop: loop)
        let bus = try SLCANBus(path: String(cString: name), bitrate: 500_000, versionTimeout: .milliseconds(200))
        let tunnel = try CANTunnel(settings: CANTunnelSettings(topics: CANTopics(base: "can", mode: .server)!, ringCapacity: 256),
                                   bus: bus, port: client, loop: loop)
        _ = LogCapture.lines {
            #expect(CANTestSupport.start(tunnel, client, loop))
            #expect(loop.run(timeout: 3) { bus.problem != nil })
        }
        #expect(tunnel.stateJSON()["bus_problem"]?.stringValue?.contains("can.slcan_device") == true)

        _ = "V2042\r".withCString { write(master, $0, 6) }
        #expect(loop.run(timeout: 3) { bus.problem == nil })
        let state = tunnel.stateJSON()
        #expect(state["bus_problem"] == nil)
        #expect(state["bus_detail"]?["adapter_version"]?.stringValue == "2042")
    }
}
