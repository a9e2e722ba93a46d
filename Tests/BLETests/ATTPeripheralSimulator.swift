import CSupport
import Foundation
import Runtime

/// A heart-rate sensor's ATT server on one end of a SOCK_SEQPACKET socketpair (the way an LE
/// L2CAP ATT channel delivers PDUs), driven by the test's run loop: answers Read By Type for
/// characteristic declarations (two per response, so discovery must continue), Find
/// Information, the CCCD write and Battery Level reads with the real ATT bytes.
final class ATTPeripheralSimulator {
    /// The client's end, for `ATTClient`.
    let clientEnd: OwnedDescriptor
    private var peer: Int32
    private var watch: IOWatch?
    private(set) var subscribed = false
    private(set) var requests: [UInt8] = []
    var battery: UInt8 = 90

    // (declaration handle, properties, value handle, UUID)
    private let characteristics: [(UInt16, UInt8, UInt16, UInt16)] = [
        (0x0003, 0x02, 0x0004, 0x2A00), (0x0010, 0x10, 0x0011, 0x2A37), (0x0020, 0x02, 0x0021, 0x2A19),
    ]

    init(loop: EventLoop) throws {
        var pair: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_SEQPACKET.rawValue), 0, &pair) == 0 else { throw TestFailure("socketpair") }
        clientEnd = OwnedDescriptor(FileDescriptor(pair[0]))
        try clientEnd.fd.setNonBlocking()
        peer = pair[1]
        watch = loop.watch(FileDescriptor(peer), interest: .read) { [unowned self] _ in self.serve() }
    }

    deinit { disconnect() }

    /// Closes the peripheral's end: the client sees the connection drop.
    func disconnect() {
        watch?.cancel()
        watch = nil
        if peer >= 0 { Foundation.close(peer) }
        peer = -1
    }

    func send(_ pdu: [UInt8]) { _ = pdu.withUnsafeBytes { Foundation.send(peer, $0.baseAddress, $0.count, 0) } }

    /// A Heart Rate Measurement notification (u8 bpm), sent only when subscribed.
    func notify(bpm: UInt8) {
        guard subscribed else { return }
        send([0x1B, 0x11, 0x00, 0x00, bpm])
    }

    private func le(_ value: UInt16) -> [UInt8] { [UInt8(value & 0xFF), UInt8(value >> 8)] }

    private func serve() {
        var buffer = [UInt8](repeating: 0, count: 512)
        let count = buffer.withUnsafeMutableBytes { recv(peer, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
        guard count > 0 else { return }
        let pdu = Array(buffer[0..<count])
        requests.append(pdu[0])
        func u16(_ at: Int) -> UInt16 { UInt16(pdu[at]) | UInt16(pdu[at + 1]) << 8 }
        switch pdu[0] {
        case 0x08:  // Read By Type: characteristic declarations from `start`
            let start = u16(1)
            let found = characteristics.filter { $0.0 >= start }.prefix(2)
            guard !found.isEmpty else { return send([0x01, 0x08] + le(start) + [0x0A]) }
            var reply: [UInt8] = [0x09, 7]
            for (handle, properties, value, uuid) in found { reply += le(handle) + [properties] + le(value) + le(uuid) }
            send(reply)
        case 0x04:  // Find Information
            let start = u16(1), end = u16(3)
            guard start <= 0x0012, end >= 0x0012 else { return send([0x01, 0x04] + le(start) + [0x0A]) }
            send([0x05, 0x01] + le(0x0012) + le(0x2902))
        case 0x12:  // Write Request: the CCCD
            guard u16(1) == 0x0012, pdu.count == 5 else { return send([0x01, 0x12] + le(u16(1)) + [0x03]) }
            subscribed = pdu[3] & 0x01 != 0
            send([0x13])
        case 0x0A:  // Read Request
            guard u16(1) == 0x0021 else { return send([0x01, 0x0A] + le(u16(1)) + [0x02]) }
            send([0x0B, battery])
        default:
            send([0x01, pdu[0], 0, 0, 0x06])  // Request Not Supported
        }
    }
}
