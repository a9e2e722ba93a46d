import CSupport
import Runtime
import TestSupport
import Testing
@testable import CAN

/// The kernel's frame layouts, checked without kernel CAN support: the bus reads and writes
/// `struct can_frame` (16 bytes) and `struct canfd_frame` (72 bytes) on one end of a
/// SOCK_SEQPACKET socketpair, which keeps datagram boundaries like a raw CAN socket.
@Suite("SocketCAN frame layout")
struct SocketCANFrameLayoutTests {
    private func pair() -> (SocketCANBus, OwnedDescriptor) {
        var fds: [Int32] = [-1, -1]
        let type = Int32(SOCK_SEQPACKET.rawValue) | Int32(SOCK_NONBLOCK.rawValue)
        precondition(socketpair(AF_UNIX, type, 0, &fds) == 0)
        let bus = SocketCANBus(interface: "pair0", adopting: OwnedDescriptor(FileDescriptor(fds[0])), supportsFD: true)
        return (bus, OwnedDescriptor(FileDescriptor(fds[1])))
    }

    private func send(_ bytes: [UInt8], to peer: OwnedDescriptor) {
        #expect(bytes.withUnsafeBytes { write(peer.fd.rawValue, $0.baseAddress, $0.count) } == bytes.count)
    }

    private func receive(_ peer: OwnedDescriptor) -> [UInt8] {
        var buffer = [UInt8](repeating: 0xEE, count: 128)
        let count = buffer.withUnsafeMutableBytes { read(peer.fd.rawValue, $0.baseAddress, 128) }
        return count > 0 ? Array(buffer[0..<count]) : []
    }

    private func canID(_ value: UInt32) -> [UInt8] { withUnsafeBytes(of: value) { Array($0) } }

    // linux/can.h and linux/can/error.h, spelled out: the test checks our use of the ABI.
    private let effFlag: UInt32 = 0x8000_0000, rtrFlag: UInt32 = 0x4000_0000, errFlag: UInt32 = 0x2000_0000
    private let errorACK: UInt32 = 0x20, errorBusOff: UInt32 = 0x40
    private let brs: UInt8 = 0x01, esi: UInt8 = 0x02

    @Test("frame sizes come from the kernel's structs: can_frame 16 bytes, canfd_frame 72")
    func frameSizesFromHeaders() {
        #expect(SocketCANBus.classicFrameSize == 16)
        #expect(SocketCANBus.fdFrameSize == 72)
    }

    @Test("a socket refusing the CAN options: classic frames only, and the missing error frames are reported")
    func refusedOptionsAreReported() {
        // A unix socket refuses SOL_CAN_RAW options just as an old or odd kernel would.
        let (bus, _) = pair()
        let (_, lines) = LogCapture.lines { bus.applySocketOptions(bus.descriptor) }
        #expect(!bus.supportsFD)
        let problem = bus.errorFrameProblem
        #expect(problem?.contains("setsockopt(CAN_RAW_ERR_FILTER)") == true)
        #expect(bus.problem == problem, "shown as the bus's problem, so the service is degraded")
        #expect(bus.stateJSON()["error_frames"]?.boolValue == false)
        #expect(bus.stateJSON()["fd"]?.boolValue == false)
        #expect(LogCapture.alarming(lines).contains { $0.contains("bus errors and bus-off go unreported") })
    }

    @Test("reads classic, extended, remote, FD and error frames from kernel layouts")
    func readsKernelFrames() {
        let (bus, peer) = pair()
        send(canID(0x123) + [3, 0, 0, 0] + [1, 2, 3, 0, 0, 0, 0, 0], to: peer)
        send(canID(0x18DA_F110 | effFlag) + [1, 0, 0, 0] + [9, 0, 0, 0, 0, 0, 0, 0], to: peer)
        send(canID(0x7DF | rtrFlag) + [2, 0, 0, 0] + [0xAA, 0xBB, 0, 0, 0, 0, 0, 0], to: peer)
        send(canID(0x5) + [12, brs | esi, 0, 0] + Array(0..<12) + [UInt8](repeating: 0, count: 52), to: peer)
        send(canID(errFlag | errorBusOff | errorACK) + [8, 0, 0, 0] + [UInt8](repeating: 0, count: 8), to: peer)
        var events: [CANBusEvent] = []
        #expect(bus.receive { events.append($0) } == .drained)
        func stamped(_ event: CANBusEvent) -> CANBusEvent {
            guard case .frame(var frame) = event else { return event }
            frame.timestamp = 0
            return .frame(frame)
        }
        #expect(events.map(stamped) == [
            .frame(CANFrame(id: 0x123, data: [1, 2, 3])),
            .frame(CANFrame(id: 0x18DA_F110, extended: true, data: [9])),
            .frame(CANFrame(id: 0x7DF, remote: true, data: [0, 0])),
            .frame(CANFrame(id: 0x5, fd: true, bitRateSwitch: true, errorStateIndicator: true, data: Array(0..<12))),
            .busError("no ACK, bus-off"),
        ])
    }

    @Test("writes classic frames as 16-byte can_frame and FD frames as 72-byte canfd_frame")
    func writesKernelFrames() throws {
        let (bus, peer) = pair()
        #expect(try bus.transmit(CANFrame(id: 0x123, data: [0xDE, 0xAD])) == .accepted)
        #expect(receive(peer) == canID(0x123) + [2, 0, 0, 0] + [0xDE, 0xAD, 0, 0, 0, 0, 0, 0])
        #expect(try bus.transmit(CANFrame(id: 0x1ABC_DEF0, extended: true, remote: true, data: [0, 0, 0])) == .accepted)
        #expect(receive(peer) == canID(0x1ABC_DEF0 | effFlag | rtrFlag) + [3, 0, 0, 0] + [UInt8](repeating: 0, count: 8))
        #expect(try bus.transmit(CANFrame(id: 0x7, fd: true, bitRateSwitch: true, data: [UInt8](repeating: 5, count: 16))) == .accepted)
        #expect(receive(peer) == canID(0x7) + [16, brs, 0, 0] + [UInt8](repeating: 5, count: 16) + [UInt8](repeating: 0, count: 48))
    }

    @Test("a full transmit queue holds frames in order, then refuses; writable again drains it")
    func queuesWhenFull() throws {
        let (bus, peer) = pair()
        var accepted = 0
        // Fill the socketpair's buffer, then the bus's own bounded queue.
        while try bus.transmit(CANFrame(id: 0x1, data: [UInt8(accepted & 0xFF)])) == .accepted && accepted < 100_000 {
            accepted += 1
        }
        #expect(accepted < 100_000)
        #expect(bus.hasPendingOutput)
        var drained = 0, idle = 0
        while drained < accepted && idle < 3 {
            let bytes = receive(peer)
            if bytes.isEmpty {
                // The peer's buffer is empty: the bus's own queue goes next ("writable").
                try bus.flushOutput()
                idle += 1
                continue
            }
            idle = 0
            #expect(bytes[8] == UInt8(drained & 0xFF), "frame \(drained) out of order")
            drained += 1
        }
        #expect(drained == accepted)
        #expect(!bus.hasPendingOutput)
    }
}
