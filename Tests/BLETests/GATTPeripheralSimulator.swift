import CSupport
import Foundation
import Runtime

/// A health device's GATT server speaking real ATT PDUs on one end of a SOCK_SEQPACKET
/// socketpair (the way an LE L2CAP ATT channel delivers them), driven by the test's run loop.
/// Each `connect()` is a new link, so a client that reconnects gets a fresh channel to the
/// same device state. What it serves depends on the profile:
/// - a blood-pressure cuff: Battery Level, Date Time (read and written: its own clock, off
///   by `clockOffset`), Blood Pressure Measurement with indications. On subscription it sends
///   its stored measurements one indication at a time, the next only after the confirmation,
///   as ATT requires; a measurement leaves its memory only when confirmed.
/// - a heart-rate sensor (0x180D): Heart Rate Measurement notifications, Battery Level.
/// - a health thermometer (0x1809): Temperature Measurement (FLOAT) indications.
/// `dropMidMeasurement` closes the link right after the next indication, before reading
/// its confirmation: the measurement stays stored and comes again on the next link.
final class GATTPeripheralSimulator {
    enum Profile { case bloodPressureCuff, heartRateSensor, healthThermometer }

    private struct Attribute {
        let declaration: UInt16
        let properties: UInt8
        let value: UInt16
        let uuid: UInt16
        let cccd: UInt16?
    }

    private let loop: EventLoop
    private let attributes: [Attribute]
    private var peer: Int32 = -1
    private var watch: IOWatch?
    /// Seconds the device's clock is ahead of the real time (negative: behind).
    var clockOffset: Int64 = 0
    var battery: UInt8 = 77
    /// Measurements the device holds until they are confirmed (0x2A35 or 0x2A1C values).
    var stored: [[UInt8]] = []
    var dropMidMeasurement = false
    private var awaitingConfirmation = false
    private(set) var connections = 0
    private(set) var confirmations = 0
    private(set) var clockWrites: [[UInt8]] = []
    private(set) var cccdWrites: [(handle: UInt16, value: UInt16)] = []
    private(set) var requests: [UInt8] = []
    private var subscribed: [UInt16: UInt16] = [:]

    init(_ profile: Profile, loop: EventLoop) {
        self.loop = loop
        switch profile {
        case .bloodPressureCuff:
            attributes = [Attribute(declaration: 0x0002, properties: 0x02, value: 0x0003, uuid: 0x2A00, cccd: nil),
                          Attribute(declaration: 0x0010, properties: 0x12, value: 0x0011, uuid: 0x2A19, cccd: 0x0012),
                          Attribute(declaration: 0x0020, properties: 0x0A, value: 0x0021, uuid: 0x2A08, cccd: nil),
                          Attribute(declaration: 0x0030, properties: 0x20, value: 0x0031, uuid: 0x2A35, cccd: 0x0032),
                          Attribute(declaration: 0x0034, properties: 0x02, value: 0x0035, uuid: 0x2A49, cccd: nil)]
        case .heartRateSensor:
            attributes = [Attribute(declaration: 0x0010, properties: 0x10, value: 0x0011, uuid: 0x2A37, cccd: 0x0012),
                          Attribute(declaration: 0x0013, properties: 0x02, value: 0x0014, uuid: 0x2A38, cccd: nil),
                          Attribute(declaration: 0x0020, properties: 0x02, value: 0x0021, uuid: 0x2A19, cccd: nil)]
        case .healthThermometer:
            attributes = [Attribute(declaration: 0x0010, properties: 0x20, value: 0x0011, uuid: 0x2A1C, cccd: 0x0012),
                          Attribute(declaration: 0x0013, properties: 0x02, value: 0x0014, uuid: 0x2A1D, cccd: nil)]
        }
    }

    deinit { disconnect() }

    /// A new link: the client's end, non-blocking. With `established` false the link is
    /// still coming up, as a kernel LE connection attempt is: the client's end is not
    /// writable (its send buffer is kept full) and nothing is served until `establish()`.
    func connect(established: Bool = true) throws -> OwnedDescriptor {
        disconnect()
        var pair: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_SEQPACKET.rawValue), 0, &pair) == 0 else { throw TestFailure("socketpair") }
        let client = OwnedDescriptor(FileDescriptor(pair[0]))
        try client.fd.setNonBlocking()
        peer = pair[1]
        connections += 1
        subscribed = [:]
        awaitingConfirmation = false
        if established {
            establish()
        } else {
            // A socket is writable while less than half its send buffer is in use: fill it.
            let filler = [UInt8](repeating: 0, count: 16384)
            while filler.withUnsafeBytes({ Foundation.send(pair[0], $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }) > 0 {}
        }
        return client
    }

    /// The link came up: the filler is dropped (the client's end turns writable) and ATT is served.
    func establish() {
        guard peer >= 0, watch == nil else { return }
        var scratch = [UInt8](repeating: 0, count: 16384)
        while scratch.withUnsafeMutableBytes({ recv(peer, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }) > 0 {}
        watch = loop.watch(FileDescriptor(peer), interest: .read) { [unowned self] _ in self.serve() }
    }

    /// Closes the device's end: the client sees the link drop.
    func disconnect() {
        watch?.cancel()
        watch = nil
        if peer >= 0 { Foundation.close(peer) }
        peer = -1
    }

    var isConnected: Bool { peer >= 0 }

    /// The device's own clock now.
    var deviceTime: Int64 { Int64(Date().timeIntervalSince1970) + clockOffset }

    func send(_ pdu: [UInt8]) { _ = pdu.withUnsafeBytes { Foundation.send(peer, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } }

    /// A notification of `value` on the characteristic `uuid`, when subscribed to.
    func notify(_ uuid: UInt16, _ value: [UInt8]) {
        guard let attribute = attributes.first(where: { $0.uuid == uuid }), subscribed[attribute.value] == 1 else { return }
        send([0x1B] + le(attribute.value) + value)
    }

    /// Stores a measurement and, when subscribed and idle, indicates it at once.
    func measure(_ value: [UInt8]) {
        stored.append(value)
        indicateNext()
    }

    private func le(_ value: UInt16) -> [UInt8] { [UInt8(value & 0xFF), UInt8(value >> 8)] }

    private var indicated: Attribute? {
        attributes.first { ($0.uuid == 0x2A35 || $0.uuid == 0x2A1C) && subscribed[$0.value] == 2 }
    }

    private func indicateNext() {
        guard isConnected, !awaitingConfirmation, let attribute = indicated, let value = stored.first else { return }
        awaitingConfirmation = true
        send([0x1D] + le(attribute.value) + value)
        if dropMidMeasurement {
            dropMidMeasurement = false
            disconnect()
        }
    }

    private func serve() {
        var buffer = [UInt8](repeating: 0, count: 512)
        let count = buffer.withUnsafeMutableBytes { recv(peer, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
        guard count > 0 else {
            if count == 0 { disconnect() }
            return
        }
        let pdu = Array(buffer[0..<count])
        requests.append(pdu[0])
        func u16(_ at: Int) -> UInt16 { pdu.count >= at + 2 ? UInt16(pdu[at]) | UInt16(pdu[at + 1]) << 8 : 0 }
        func error(_ code: UInt8) { send([0x01, pdu[0]] + le(u16(1)) + [code]) }
        switch pdu[0] {
        case 0x1E:  // Handle Value Confirmation
            guard awaitingConfirmation else { return }
            awaitingConfirmation = false
            confirmations += 1
            stored.removeFirst()
            indicateNext()
        case 0x08:  // Read By Type: characteristic declarations, two per response
            let start = u16(1)
            let found = attributes.filter { $0.declaration >= start }.prefix(2)
            guard !found.isEmpty else { return error(0x0A) }
            var reply: [UInt8] = [0x09, 7]
            for attribute in found { reply += le(attribute.declaration) + [attribute.properties] + le(attribute.value) + le(attribute.uuid) }
            send(reply)
        case 0x04:  // Find Information
            let start = u16(1), end = u16(3)
            let found = attributes.compactMap { $0.cccd }.filter { $0 >= start && $0 <= end }
            guard !found.isEmpty else { return error(0x0A) }
            send([0x05, 0x01] + found.flatMap { le($0) + le(0x2902) })
        case 0x0A:  // Read Request
            guard let attribute = attributes.first(where: { $0.value == u16(1) }) else { return error(0x01) }
            switch attribute.uuid {
            case 0x2A19: send([0x0B, battery])
            case 0x2A08: send([0x0B] + dateTime(deviceTime))
            case 0x2A49: send([0x0B, 0x00, 0x00])
            default: send([0x0B] + Array("cuff".utf8))
            }
        case 0x12:  // Write Request
            let handle = u16(1)
            if let attribute = attributes.first(where: { $0.cccd == handle }), pdu.count == 5 {
                let value = u16(3)
                cccdWrites.append((handle, value))
                subscribed[attribute.value] = value
                send([0x13])
                indicateNext()
            } else if attributes.first(where: { $0.value == handle })?.uuid == 0x2A08, pdu.count == 10 {
                let written = Array(pdu[3...])
                clockWrites.append(written)
                let year = Int(written[0]) | Int(written[1]) << 8
                var components = DateComponents(timeZone: TimeZone(identifier: "UTC"), year: year, month: Int(written[2]),
                                                day: Int(written[3]), hour: Int(written[4]), minute: Int(written[5]),
                                                second: Int(written[6]))
                components.calendar = Calendar(identifier: .gregorian)
                if let date = components.date { clockOffset = Int64(date.timeIntervalSince1970) - Int64(Date().timeIntervalSince1970) }
                send([0x13])
            } else {
                error(0x03)  // Write Not Permitted
            }
        default:
            error(0x06)  // Request Not Supported
        }
    }

    /// Date Time bytes (UTC) of `seconds` since the epoch.
    func dateTime(_ seconds: Int64) -> [UInt8] {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second],
                                            from: Date(timeIntervalSince1970: TimeInterval(seconds)))
        let year = parts.year!
        return [UInt8(year & 0xFF), UInt8(year >> 8), UInt8(parts.month!), UInt8(parts.day!), UInt8(parts.hour!),
                UInt8(parts.minute!), UInt8(parts.second!)]
    }

    /// A Blood Pressure Measurement in mmHg with time stamp and pulse (SFLOAT, exponent 0).
    func bloodPressure(systolic: UInt16, diastolic: UInt16, mean: UInt16, pulse: UInt16, at seconds: Int64) -> [UInt8] {
        [0x06] + le(systolic) + le(diastolic) + le(mean) + dateTime(seconds) + le(pulse)
    }
}
