import Crypto
import Runtime

/// An ATT client on one connected LE L2CAP ATT channel (a SOCK_SEQPACKET descriptor: one PDU
/// per read), doing what active mode needs and no more: discover the characteristics
/// (Read By Type of 0x2803), subscribe to Heart Rate Measurement notifications (its CCCD
/// 0x2902 found with Find Information, written 0x0001), read Battery Level, then hand every
/// notification over as a reading. One request in flight, each with a timeout.
public final class ATTClient {
    /// Where the client is.
    public enum Phase: Equatable {
        case connecting, discovering, findingDescriptor, subscribing, readingBattery, ready, closed

        public var name: String {
            switch self {
            case .connecting: return "connecting"
            case .discovering: return "discovering"
            case .findingDescriptor: return "finding_descriptor"
            case .subscribing: return "subscribing"
            case .readingBattery: return "reading_battery"
            case .ready: return "ready"
            case .closed: return "closed"
            }
        }
    }

    public private(set) var phase: Phase = .connecting
    /// Value handles found, 0 when absent.
    public private(set) var heartRateHandle: UInt16 = 0
    public private(set) var batteryHandle: UInt16 = 0
    public private(set) var cccdHandle: UInt16 = 0
    /// PDUs that did not parse (counted, dropped).
    public private(set) var malformedPDUs = 0
    public private(set) var notifications = 0
    /// Every decoded value (heart rate notifications, the battery read).
    public var onReading: (SensorReading) -> Void = { _ in }
    /// The channel closed or failed; the owner reconnects with backoff.
    public var onClosed: (String) -> Void = { _ in }

    private let descriptor: OwnedDescriptor
    private let loop: EventLoop
    private let timeout: Interval
    private var watch: IOWatch?
    private var timer: OneShotTimer?
    private var pendingOpcode: UInt8?
    private var buffer = [UInt8](repeating: 0, count: 512)

    static let errorResponse: UInt8 = 0x01
    static let findInformationRequest: UInt8 = 0x04, findInformationResponse: UInt8 = 0x05
    static let readByTypeRequest: UInt8 = 0x08, readByTypeResponse: UInt8 = 0x09
    static let readRequest: UInt8 = 0x0A, readResponse: UInt8 = 0x0B
    static let writeRequest: UInt8 = 0x12, writeResponse: UInt8 = 0x13
    static let notification: UInt8 = 0x1B, indication: UInt8 = 0x1D, confirmation: UInt8 = 0x1E

    /// A client on `descriptor` (connecting or connected, non-blocking).
    public init(descriptor: OwnedDescriptor, loop: EventLoop, timeout: Interval = .seconds(10)) {
        self.descriptor = descriptor
        self.loop = loop
        self.timeout = timeout
    }

    /// Waits for the connection (writable), then starts discovery.
    public func start() {
        watch = loop.watch(descriptor.fd, interest: .write) { [self] events in self.handle(events) }
        timer = loop.after(timeout) { [self] in self.close("connection timed out") }
    }

    /// Stops watching and closes nothing (the owner drops the client and its descriptor).
    public func stop() {
        watch?.cancel()
        watch = nil
        timer?.cancel()
        timer = nil
        phase = .closed
    }

    private func close(_ reason: String) {
        guard phase != .closed else { return }
        stop()
        onClosed(reason)
    }

    private func handle(_ events: IOEvents) {
        if events.contains(.error) || events.contains(.hangup) || events.contains(.invalid) {
            close(phase == .connecting ? "connection failed" : "connection lost")
            return
        }
        if phase == .connecting {
            guard events.contains(.writable) else { return }
            watch?.interest = .read
            phase = .discovering
            discover(from: 0x0001)
            return
        }
        guard events.contains(.readable) else { return }
        let outcome: Result<IOResult<Int>, RuntimeError> = buffer.withUnsafeMutableBytes { bytes in
            do throws(RuntimeError) { return .success(try descriptor.fd.read(into: bytes)) } catch { return .failure(error) }
        }
        switch outcome {
        case .failure(let error): close(error.description)
        case .success(.wouldBlock): return
        case .success(.done(0)): close("connection closed by the peer")
        case .success(.done(let count)): received(buffer[0..<count])
        }
    }

    // MARK: requests

    private func send(_ pdu: [UInt8]) {
        let result: Result<IOResult<Int>, RuntimeError> = pdu.withUnsafeBytes { bytes in
            do throws(RuntimeError) { return .success(try descriptor.fd.write(bytes)) } catch { return .failure(error) }
        }
        if case .failure(let error) = result {
            close(error.description)
            return
        }
        if pdu[0] & 0x01 == 0 && pdu[0] != ATTClient.confirmation {
            // A request (even opcode): one in flight, with a timeout.
            pendingOpcode = pdu[0]
            timer?.cancel()
            timer = loop.after(timeout) { [self] in self.close("no ATT response within " + self.timeout.millisecondsText + " ms") }
        }
    }

    private func discover(from start: UInt16) {
        send([ATTClient.readByTypeRequest, UInt8(start & 0xFF), UInt8(start >> 8), 0xFF, 0xFF, 0x03, 0x28])
    }

    private func afterDiscovery() {
        if heartRateHandle != 0 {
            phase = .findingDescriptor
            let start = heartRateHandle + 1
            let end = heartRateHandle + 4
            send([ATTClient.findInformationRequest, UInt8(start & 0xFF), UInt8(start >> 8), UInt8(end & 0xFF), UInt8(end >> 8)])
        } else {
            readBattery()
        }
    }

    private func readBattery() {
        if batteryHandle != 0 {
            phase = .readingBattery
            send([ATTClient.readRequest, UInt8(batteryHandle & 0xFF), UInt8(batteryHandle >> 8)])
        } else {
            becomeReady()
        }
    }

    private func becomeReady() {
        timer?.cancel()
        timer = nil
        pendingOpcode = nil
        phase = .ready
    }

    // MARK: responses

    /// One PDU from the peer.
    func received(_ pdu: ArraySlice<UInt8>) {
        guard let opcode = pdu.first else {
            malformedPDUs += 1
            return
        }
        switch opcode {
        case ATTClient.notification, ATTClient.indication:
            guard pdu.count >= 3 else {
                malformedPDUs += 1
                return
            }
            if opcode == ATTClient.indication { send([ATTClient.confirmation]) }
            let handle = UInt16(pdu.unsignedLE(1, 2))
            let value = pdu.dropFirst(3)
            notifications += 1
            if handle == heartRateHandle, let reading = GATTValueDecoder.heartRate(value) { onReading(reading) }
            if handle == batteryHandle, let reading = GATTValueDecoder.battery(value) { onReading(reading) }
            return
        default:
            break
        }
        guard let pending = pendingOpcode else {
            malformedPDUs += 1
            return
        }
        if opcode == ATTClient.errorResponse {
            guard pdu.count == 5, pdu.byte(1) == pending else {
                malformedPDUs += 1
                return
            }
            responded()
            let code = pdu.byte(4)
            switch phase {
            case .discovering where code == 0x0A: afterDiscovery()          // Attribute Not Found: done
            case .findingDescriptor: readBattery()                          // no CCCD: no notifications
            case .subscribing: readBattery()
            case .readingBattery: becomeReady()
            default: close("ATT error 0x" + Hex.encode([code]) + " during discovery")
            }
            return
        }
        guard opcode == pending + 1 else {
            malformedPDUs += 1
            return
        }
        responded()
        switch opcode {
        case ATTClient.readByTypeResponse: characteristics(pdu.dropFirst())
        case ATTClient.findInformationResponse: descriptors(pdu.dropFirst())
        case ATTClient.writeResponse: readBattery()
        case ATTClient.readResponse:
            if let reading = GATTValueDecoder.battery(pdu.dropFirst()) { onReading(reading) }
            becomeReady()
        default: malformedPDUs += 1
        }
    }

    private func responded() {
        pendingOpcode = nil
        timer?.cancel()
        timer = nil
    }

    /// Read By Type Response over 0x2803: `length, {handle, properties, value handle, uuid}*`.
    private func characteristics(_ body: ArraySlice<UInt8>) {
        guard let length = body.first, length == 7 || length == 21, (body.count - 1) % Int(length) == 0 else {
            malformedPDUs += 1
            close("malformed Read By Type Response")
            return
        }
        var index = 1
        var last: UInt16 = 0
        while index + Int(length) <= body.count {
            last = UInt16(body.unsignedLE(index, 2))
            let valueHandle = UInt16(body.unsignedLE(index + 3, 2))
            if length == 7 {
                switch UInt16(body.unsignedLE(index + 5, 2)) {
                case GATTValueDecoder.heartRateMeasurement: heartRateHandle = valueHandle
                case GATTValueDecoder.batteryLevel: batteryHandle = valueHandle
                default: break
                }
            }
            index += Int(length)
        }
        if last == 0xFFFF { afterDiscovery() } else { discover(from: last + 1) }
    }

    /// Find Information Response: `format, {handle, uuid}*`; looks for the CCCD (0x2902).
    private func descriptors(_ body: ArraySlice<UInt8>) {
        guard body.first == 0x01, (body.count - 1) % 4 == 0 else {
            readBattery()
            return
        }
        var index = 1
        while index + 4 <= body.count {
            if body.unsignedLE(index + 2, 2) == 0x2902 {
                cccdHandle = UInt16(body.unsignedLE(index, 2))
                break
            }
            index += 4
        }
        guard cccdHandle != 0 else {
            readBattery()
            return
        }
        phase = .subscribing
        send([ATTClient.writeRequest, UInt8(cccdHandle & 0xFF), UInt8(cccdHandle >> 8), 0x01, 0x00])
    }
}
