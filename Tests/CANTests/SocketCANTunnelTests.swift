import CAN
import Foundation
import Runtime
import TestSupport
import Testing
import Uplink

/// A virtual CAN interface for the SocketCAN tests, created once per process if the kernel
/// can (root and the vcan module); otherwise `reason` says why the tests are skipped.
enum VirtualCAN {
    static let interface = "vcan-sy\(getpid() % 10000)"

    /// nil when the interface is up; otherwise why it could not be created.
    static let unavailableReason: String? = {
        func ip(_ arguments: [String]) -> ProcessResult? {
            let tool = FileManager.default.isExecutableFile(atPath: "/usr/sbin/ip") ? "/usr/sbin/ip" : "/sbin/ip"
            return try? ChildProcess.run(URL(fileURLWithPath: tool), arguments)
        }
        guard let added = ip(["link", "add", "dev", interface, "type", "vcan"]) else { return "the ip tool is missing" }
        guard added.status == 0 else {
            return "cannot create a vcan interface (`ip link add dev \(interface) type vcan`: "
                + added.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
                + "); this kernel lacks vcan or we lack root. These tests run in the qemu image test."
        }
        _ = ip(["link", "set", interface, "mtu", "72"]) // CAN FD
        guard ip(["link", "set", "up", interface])?.status == 0 else { return "cannot bring \(interface) up" }
        atexit { _ = try? ChildProcess.run(URL(fileURLWithPath: "/usr/sbin/ip"), ["link", "del", VirtualCAN.interface]) }
        return nil
    }()

    static let available: Bool = {
        if let reason = unavailableReason {
            print("SocketCAN tests skipped: \(reason)")
            return false
        }
        return true
    }()
}

// Skipped (with the reason printed) where no vcan interface can be created, e.g. in
// containers whose kernel has no CAN support; the qemu image test runs them.
@Suite("SocketCAN tunnel on a vcan interface", .serialized,
       .enabled(if: VirtualCAN.available, "needs a vcan interface (root and the vcan kernel module)"))
struct SocketCANTunnelTests {
    @Test("vcan frames, classic and FD, arrive on MQTT; MQTT frames appear on the vcan")
    func tunnelsBothWays() throws {
        let broker = try MosquittoBroker()
        let observer = try CANTestSupport.observer(broker, topics: ["can/#"])
        let loop = try EventLoop()
        let client = try CANTestSupport.client(broker, loop: loop)
        let bus = SocketCANBus(interface: VirtualCAN.interface)
        let tunnel = try CANTunnel(settings: CANTunnelSettings(topics: CANTopics(base: "can", mode: .server)!),
                                   bus: bus, port: client, loop: loop)
        #expect(CANTestSupport.start(tunnel, client, loop))
        #expect(bus.supportsFD)

        // Another socket on the same interface plays the rest of the bus.
        let peer = SocketCANBus(interface: VirtualCAN.interface)
        try peer.open()
        defer { peer.close() }
        for frame in [CANFrame(id: 0x123, data: [1, 2, 3]), CANFrame(id: 0x18DA_F110, extended: true, data: [9]),
                      CANFrame(id: 0x7DF, remote: true, data: [0, 0]), CANFrame(id: 0x5, fd: true, data: Array(0..<12))] {
            #expect(try peer.transmit(frame) == .accepted)
        }
        #expect(loop.run(timeout: 5) { observer.lines.count >= 4 })
        #expect(observer.lines.compactMap(CANTestSupport.split).map { $0.topic + " " + $0.rest } == [
            "can/291 00010203", "can/417001744 0109", "can/2015 020000", "can/5 04000102030405060708090a0b",
        ])

        try CANTestSupport.publish(port: broker.port, topic: "can/s/1000", payload: CANTestSupport.payload(flags: 1, data: [0xAB]))
        var seen: [CANFrame] = []
        let deadline = Date().addingTimeInterval(5)
        while seen.isEmpty && Date() < deadline {
            loop.run(timeout: 0.05) { false }
            _ = peer.receive { event in if case .frame(let frame) = event { seen.append(frame) } }
        }
        #expect(seen.map { $0.id } == [1000])
        #expect(seen.first?.isExtended == true)
        #expect(seen.first?.data == [0xAB])
        tunnel.stop()
    }
}

@Suite("SocketCAN without an interface")
struct SocketCANErrorTests {
    @Test("opening an interface that does not exist says what to do, wherever the tests run")
    func explainsMissingInterface() {
        do {
            try SocketCANBus(interface: "nocan7").open()
            Issue.record("opened an interface that does not exist")
        } catch {
            #expect(error.description.contains("nocan7"))
            #expect(error.description.contains("ip link add") || error.description.contains("SocketCAN"))
        }
    }
}
