import CAN
import Foundation
import JSON
import Runtime
import TestSupport
import Testing
import Uplink

/// The tunnel end to end: a simulated CANable on a real pty, a real mosquitto, an
/// independent subscriber and publisher.
@Suite("SLCAN tunnel through a real broker", .serialized)
struct SLCANTunnelTests {
    private struct Rig {
        let broker: MosquittoBroker
        let sim: SLCANSimulator
        let loop: EventLoop
        let client: MQTTClient
        let bus: SLCANBus
        let tunnel: CANTunnel
    }

    private func rig(mode: CANTunnelMode = .server, base: String = "can", filter: CANFilter = .acceptAll,
                     onlyChanges: Bool = false, listenOnly: Bool = false) throws -> Rig {
        let broker = try MosquittoBroker()
        let sim = try SLCANSimulator()
        let loop = try EventLoop()
        let client = try CANTestSupport.client(broker, loop: loop)
        var settings = CANTunnelSettings(topics: CANTopics(base: base, mode: mode)!, filter: filter,
                                         onlyChanges: onlyChanges, ringCapacity: 256, listenOnly: listenOnly)
        settings.reopenDelay = .milliseconds(100)
        let bus = try SLCANBus(path: sim.path, bitrate: 500_000, listenOnly: listenOnly)
        let tunnel = try CANTunnel(settings: settings, bus: bus, port: client, loop: loop)
        return Rig(broker: broker, sim: sim, loop: loop, client: client, bus: bus, tunnel: tunnel)
    }

    @Test("opening sends C, S6, O and V, and the adapter's version is recorded")
    func opensTheAdapter() throws {
        let rig = try rig()
        #expect(CANTestSupport.start(rig.tunnel, rig.client, rig.loop))
        #expect(rig.loop.run(timeout: 3) { rig.bus.adapterVersion != nil })
        #expect(rig.bus.adapterVersion == "1013")
        #expect(rig.sim.records.prefix(2) == ["BITRATE S6", "OPEN normal"])
        #expect(rig.tunnel.stats.adapterErrors == 0)
    }

    @Test("bus frames arrive on <t>/<decimal id> with the exact PyMQTT2CAN bytes: classic, extended, RTR, FD")
    func busFramesArriveExactly() throws {
        let rig = try rig(base: "site/garage/can")
        let observer = try CANTestSupport.observer(rig.broker, topics: ["site/garage/can/#"])
        #expect(CANTestSupport.start(rig.tunnel, rig.client, rig.loop))
        let before = CANTestSupport.nowMicroseconds
        rig.sim.emit("t1238DEADBEEF01020304")
        rig.sim.emit("T18DAF1103022110")
        rig.sim.emit("r7DF4")
        rig.sim.emit("d7FF9000102030405060708090A0B")
        rig.sim.emit("B0000ABCD2CAFE")
        rig.sim.emit("t0000")
        #expect(rig.loop.run(timeout: 5) { observer.lines.count >= 6 })
        let after = CANTestSupport.nowMicroseconds
        let received = observer.lines.compactMap(CANTestSupport.split)
        #expect(received.map { $0.topic } == [
            "site/garage/can/291", "site/garage/can/417001744", "site/garage/can/2015", "site/garage/can/2047",
            "site/garage/can/43981", "site/garage/can/0",
        ])
        #expect(received.map { $0.rest } == [
            "00deadbeef01020304", "01022110", "0200000000", "04000102030405060708090a0b", "05cafe", "00",
        ])
        for frame in received { #expect(frame.timestamp >= before && frame.timestamp <= after) }
        #expect(rig.tunnel.stats.published == 6)
        #expect(rig.tunnel.stats.framesFromBus == 6)
    }

    @Test("frames published to <t>/s/<id> reach the bus: classic, extended, RTR, FD")
    func mqttFramesReachTheBus() throws {
        let rig = try rig()
        #expect(CANTestSupport.start(rig.tunnel, rig.client, rig.loop))
        let port = rig.broker.port
        try CANTestSupport.publish(port: port, topic: "can/s/291", payload: CANTestSupport.payload(flags: 0, data: [0xDE, 0xAD]))
        try CANTestSupport.publish(port: port, topic: "can/s/417001744", payload: CANTestSupport.payload(flags: 1, data: [2, 0x21, 0x10]))
        try CANTestSupport.publish(port: port, topic: "can/s/2015", payload: CANTestSupport.payload(flags: 2, data: [0, 0, 0, 0]))
        try CANTestSupport.publish(port: port, topic: "can/s/5", payload: CANTestSupport.payload(flags: 4, data: Array(0..<12)))
        try CANTestSupport.publish(port: port, topic: "can/s/6", payload: CANTestSupport.payload(flags: 5, data: []))
        // The server side does not listen to its own topics: this must not reach the bus.
        try CANTestSupport.publish(port: port, topic: "can/7", payload: CANTestSupport.payload(flags: 0, data: [7]))
        #expect(rig.loop.run(timeout: 5) { rig.sim.transmitted.count >= 5 })
        rig.loop.run(timeout: 0.3) { false }
        #expect(rig.sim.transmitted == ["t1232DEAD", "T18DAF1103022110", "r7DF4", "d0059000102030405060708090A0B", "D000000060"])
        #expect(rig.tunnel.stats.framesToBus == 5)
        #expect(rig.tunnel.stats.messagesFromMQTT == 5)
    }

    @Test("malformed payloads and ids are dropped and counted per kind; the tunnel keeps running")
    func dropsMalformedMessages() throws {
        let rig = try rig()
        #expect(CANTestSupport.start(rig.tunnel, rig.client, rig.loop))
        let port = rig.broker.port
        try CANTestSupport.publish(port: port, topic: "can/s/1", payload: [1, 2, 3, 4, 5])
        try CANTestSupport.publish(port: port, topic: "can/s/1", payload: [])
        try CANTestSupport.publish(port: port, topic: "can/s/1", payload: CANTestSupport.payload(flags: 4, data: [UInt8](repeating: 0, count: 65)))
        try CANTestSupport.publish(port: port, topic: "can/s/1", payload: CANTestSupport.payload(flags: 0, data: [UInt8](repeating: 0, count: 9)))
        try CANTestSupport.publish(port: port, topic: "can/s/1", payload: CANTestSupport.payload(flags: 4, data: [UInt8](repeating: 0, count: 13)))
        try CANTestSupport.publish(port: port, topic: "can/s/1", payload: CANTestSupport.payload(flags: 6, data: []))
        try CANTestSupport.publish(port: port, topic: "can/s/abc", payload: CANTestSupport.payload(flags: 0, data: [1]))
        try CANTestSupport.publish(port: port, topic: "can/s/99999999999", payload: CANTestSupport.payload(flags: 0, data: [1]))
        try CANTestSupport.publish(port: port, topic: "can/s/2048", payload: CANTestSupport.payload(flags: 0, data: [1]))
        try CANTestSupport.publish(port: port, topic: "can/s/536870912", payload: CANTestSupport.payload(flags: 1, data: [1]))
        try CANTestSupport.publish(port: port, topic: "can/s/42", payload: CANTestSupport.payload(flags: 0, data: [0x42]))
        #expect(rig.loop.run(timeout: 5) { rig.tunnel.stats.messagesFromMQTT == 11 && rig.sim.transmitted.count >= 1 })
        rig.loop.run(timeout: 0.3) { false }
        let stats = rig.tunnel.stats
        #expect(rig.sim.transmitted == ["t02A142"])
        #expect(stats.malformed(.payloadTooShort) == 2)
        #expect(stats.malformed(.payloadTooLong) == 1)
        #expect(stats.malformed(.invalidLength) == 3)
        #expect(stats.malformed(.invalidID) == 4)
        #expect(stats.malformedTotal == 10)
        #expect(stats.framesToBus == 1)
        let state = rig.tunnel.stateJSON()
        #expect(state["malformed"]?["total"]?.intValue == 10)
        #expect(state["malformed"]?["payload_too_short"]?.intValue == 2)
    }

    @Test("SLCAN garbage from the adapter is dropped and counted; frames after it still flow")
    func dropsAdapterGarbage() throws {
        let rig = try rig()
        let observer = try CANTestSupport.observer(rig.broker, topics: ["can/#"])
        #expect(CANTestSupport.start(rig.tunnel, rig.client, rig.loop))
        rig.sim.raw("hello\\r")
        rig.sim.raw("t12\\r")
        rig.sim.raw("t8000\\r")
        rig.sim.raw("t1239000000000000000000\\r")
        rig.sim.raw(String(repeating: "A", count: 400) + "\\r")
        rig.sim.raw("\\x00\\xff\\x80\\r")
        rig.sim.emit("t1231AA")
        #expect(rig.loop.run(timeout: 5) { observer.lines.count >= 1 })
        rig.loop.run(timeout: 0.2) { false }
        #expect(observer.lines.compactMap(CANTestSupport.split).map { $0.topic + " " + $0.rest } == ["can/291 00aa"])
        #expect(rig.tunnel.stats.malformed(.slcanGarbage) == 6)
        #expect(rig.tunnel.state == .open)
    }

    @Test("accept filters and only-on-change decide what is published")
    func filtersAndSuppressesRepeats() throws {
        let rig = try rig(filter: try CANFilter(parsing: "0x100:0x700"), onlyChanges: true)
        let observer = try CANTestSupport.observer(rig.broker, topics: ["can/#"])
        #expect(CANTestSupport.start(rig.tunnel, rig.client, rig.loop))
        for line in ["t1001AA", "t1001AA", "t2001AA", "t1FF1BB", "t1001AB", "t1001AB", "t1FF1BB", "t1002AB00"] {
            rig.sim.emit(line)
        }
        #expect(rig.loop.run(timeout: 5) { rig.tunnel.stats.framesFromBus == 8 })
        #expect(observer.wait(timeout: 3) { $0.count >= 4 })
        // All 8 frames are read and each publish happens as its frame is read: nothing more is coming.
        #expect(rig.tunnel.stats.published == 4)
        #expect(observer.lines.compactMap(CANTestSupport.split).map { $0.topic + " " + $0.rest }
                == ["can/256 00aa", "can/511 00bb", "can/256 00ab", "can/256 00ab00"])
        #expect(rig.tunnel.stats.filtered == 1)
        #expect(rig.tunnel.stats.unchanged == 3)
    }

    @Test("listen-only opens with L and writes nothing to the bus, counting what it did not send")
    func listenOnlyWritesNothing() throws {
        let rig = try rig(listenOnly: true)
        #expect(CANTestSupport.start(rig.tunnel, rig.client, rig.loop))
        try CANTestSupport.publish(port: rig.broker.port, topic: "can/s/1", payload: CANTestSupport.payload(flags: 0, data: [1]))
        #expect(rig.loop.run(timeout: 5) { rig.tunnel.stats.transmitDropped == 1 })
        // Counted on our side at once; the simulator reads the open in its own time.
        #expect(rig.loop.run(timeout: 5) { rig.sim.records.contains("OPEN listen-only") }, "\(rig.sim.records)")
        #expect(rig.sim.transmitted.isEmpty)
    }

    @Test("an adapter that vanishes is reported failed and retried, and MQTT frames are counted as dropped")
    func vanishedAdapterIsRetried() throws {
        let rig = try rig()
        #expect(CANTestSupport.start(rig.tunnel, rig.client, rig.loop))
        rig.sim.quit()
        // The state as it is while failed: the retry may reopen the adapter's path a second
        // later (a busy machine has seen the test's end after that), so it is taken at once.
        var state = JSONValue.null
        #expect(rig.loop.run(timeout: 5) {
            guard case .failed = rig.tunnel.state else { return false }
            state = rig.tunnel.stateJSON()
            return true
        })
        #expect(state["bus_state"]?.stringValue == "failed")
        #expect(state["bus_error"]?.stringValue?.isEmpty == false)
        try CANTestSupport.publish(port: rig.broker.port, topic: "can/s/1", payload: CANTestSupport.payload(flags: 0, data: [1]))
        #expect(rig.loop.run(timeout: 5) { rig.tunnel.stats.transmitDropped == 1 })
    }
}
