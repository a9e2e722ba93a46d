import CSupport
import Crypto
import Runtime

/// An ATT client on one connected LE L2CAP ATT channel (a SOCK_SEQPACKET descriptor: one PDU
/// per read), doing what the health devices need and no more: discover the characteristics
/// (Read By Type of 0x2803), read Battery Level, read the Date Time and set it when it is off,
/// then subscribe to Blood Pressure Measurement, Heart Rate Measurement and Temperature
/// Measurement (each CCCD 0x2902 found with Find Information and written: indications where
/// the characteristic indicates, else notifications), and hand over every value. Each
/// indication is confirmed. One request in flight, each with a timeout.
public final class ATTClient {
    /// Where the client is.
    public enum Phase: Equatable {
        case connecting, discovering, readingBattery, readingClock, settingClock, findingDescriptor, subscribing, ready, closed

        public var name: String {
            switch self {
            case .connecting: return "connecting"
            case .discovering: return "discovering"
            case .readingBattery: return "reading_battery"
            case .readingClock: return "reading_clock"
            case .settingClock: return "setting_clock"
            case .findingDescriptor: return "finding_descriptor"
            case .subscribing: return "subscribing"
            case .ready: return "ready"
            case .closed: return "closed"
            }
        }
    }

    /// One characteristic declaration found by discovery (uuid 0 for a 128-bit one).
    public struct Characteristic: Sendable {
        public let declaration: UInt16
        public let properties: UInt8
        public let value: UInt16
        public let uuid: UInt16
    }

    /// The work after discovery, in order.
    private enum Step {
        case readBattery, readClock, setClock
        case findDescriptor(Characteristic, end: UInt16)
        case subscribe(cccd: UInt16, indicate: Bool)
    }

    /// The characteristics subscribed to, in this order (the cuffs' first).
    static let subscribed: [UInt16] = [BloodPressureMeasurement.uuid, GATTValueDecoder.heartRateMeasurement,
                                       GATTValueDecoder.temperatureMeasurement]
    /// More declarations than this on one device is no health device: the rest are ignored.
    static let characteristicLimit = 64
    /// A device clock further off than this is set from the gateway's (the original's rule).
    public static let clockTolerance: Int64 = 60

    public private(set) var phase: Phase = .connecting
    public private(set) var characteristics: [Characteristic] = []
    /// CCCD handles written, and how many subscriptions asked for indications.
    public private(set) var subscriptions: [UInt16] = []
    /// The device's clock minus the gateway's when read, in seconds; nil before or without one.
    public private(set) var clockOffset: Int64?
    /// Whether the device's Date Time was written this session.
    public private(set) var clockSet = false
    /// PDUs that did not parse, and values of known characteristics that did not decode.
    public private(set) var malformedPDUs = 0
    public private(set) var undecodedValues = 0
    public private(set) var notifications = 0
    public private(set) var indications = 0
    /// Every decoded heart-rate, battery and temperature value.
    public var onReading: (SensorReading) -> Void = { _ in }
    /// Every decoded blood-pressure measurement.
    public var onBloodPressure: (BloodPressureMeasurement) -> Void = { _ in }
    /// The channel is connected (the socket became writable): the kernel's connection
    /// attempt is over, so the adapter may start another.
    public var onConnected: () -> Void = {}
    /// Discovery, the clock and the subscriptions are done.
    public var onReady: () -> Void = {}
    /// The channel closed or failed; the owner reconnects with backoff.
    public var onClosed: (String) -> Void = { _ in }
    /// The gateway's time, seconds since the epoch (tests hand in another clock).
    public var now: () -> Int64 = { WallClock.millisecondsSinceEpoch() / 1000 }

    private let descriptor: OwnedDescriptor
    private let loop: EventLoop
    private let timeout: Interval
    private var watch: IOWatch?
    private var timer: OneShotTimer?
    private var pendingOpcode: UInt8?
    private var steps: [Step] = []
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

    /// The value handle of the characteristic `uuid`, 0 when the device has none.
    public func handle(of uuid: UInt16) -> UInt16 { characteristics.first { $0.uuid == uuid }?.value ?? 0 }

    public var heartRateHandle: UInt16 { handle(of: GATTValueDecoder.heartRateMeasurement) }
    public var batteryHandle: UInt16 { handle(of: GATTValueDecoder.batteryLevel) }
    /// The first CCCD written, 0 before.
    public var cccdHandle: UInt16 { subscriptions.first ?? 0 }

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
        if events.contains(.readable) && phase != .connecting {
            // On a hangup, read everything still queued first: the last indication may be in it.
            let drain = events.contains(.hangup) || events.contains(.error)
            while readOne() && drain && phase != .closed {}
            if phase == .closed { return }
        }
        if events.contains(.error) || events.contains(.hangup) || events.contains(.invalid) {
            close(phase == .connecting ? "connection failed" : "connection lost")
            return
        }
        if phase == .connecting {
            guard events.contains(.writable) else { return }
            watch?.interest = .read
            phase = .discovering
            onConnected()
            guard phase == .discovering else { return }
            discover(from: 0x0001)
        }
    }

    /// Reads one PDU; false when there was none (would block, or the channel closed).
    private func readOne() -> Bool {
        let outcome: Result<IOResult<Int>, RuntimeError> = buffer.withUnsafeMutableBytes { bytes in
            do throws(RuntimeError) { return .success(try descriptor.fd.read(into: bytes)) } catch { return .failure(error) }
        }
        switch outcome {
        case .failure(let error): close(error.description)
        case .success(.wouldBlock): return false
        case .success(.done(0)): close("connection closed by the peer")
        case .success(.done(let count)):
            received(buffer[0..<count])
            return true
        }
        return false
    }

    // MARK: requests

    private func send(_ pdu: [UInt8]) {
        let fd = descriptor.fd.rawValue
        let result: Result<IOResult<Int>, RuntimeError> = pdu.withUnsafeBytes { bytes in
            // send with MSG_NOSIGNAL: a device that dropped the link is an error (EPIPE), not a SIGPIPE.
            do throws(RuntimeError) {
                return .success(try SystemCall.nonBlocking("send(ATT)") { CSupport.send(fd, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL)) })
            } catch { return .failure(error) }
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

    private static func le(_ value: UInt16) -> [UInt8] { [UInt8(value & 0xFF), UInt8(value >> 8)] }

    private func discover(from start: UInt16) {
        send([ATTClient.readByTypeRequest] + ATTClient.le(start) + [0xFF, 0xFF, 0x03, 0x28])
    }

    /// Plans the work for what discovery found, then runs it.
    private func afterDiscovery() {
        steps = []
        if batteryHandle != 0 { steps.append(.readBattery) }
        if handle(of: GATTDateTime.uuid) != 0 { steps.append(.readClock) }
        let sorted = characteristics.sorted { $0.declaration < $1.declaration }
        for uuid in ATTClient.subscribed {
            guard let index = sorted.firstIndex(where: { $0.uuid == uuid }) else { continue }
            let characteristic = sorted[index]
            // Notify 0x10 or indicate 0x20: nothing to subscribe to otherwise.
            guard characteristic.properties & 0x30 != 0, characteristic.value < 0xFFFF else { continue }
            let end = index + 1 < sorted.count ? sorted[index + 1].declaration - 1 : 0xFFFF
            guard end > characteristic.value else { continue }
            steps.append(.findDescriptor(characteristic, end: end))
        }
        nextStep()
    }

    private func nextStep() {
        guard !steps.isEmpty else { return becomeReady() }
        switch steps.removeFirst() {
        case .readBattery:
            phase = .readingBattery
            send([ATTClient.readRequest] + ATTClient.le(batteryHandle))
        case .readClock:
            phase = .readingClock
            send([ATTClient.readRequest] + ATTClient.le(handle(of: GATTDateTime.uuid)))
        case .setClock:
            phase = .settingClock
            send([ATTClient.writeRequest] + ATTClient.le(handle(of: GATTDateTime.uuid)) + GATTDateTime(epochSeconds: now()).bytes)
        case .findDescriptor(let characteristic, let end):
            phase = .findingDescriptor
            current = characteristic
            send([ATTClient.findInformationRequest] + ATTClient.le(characteristic.value + 1) + ATTClient.le(end))
        case .subscribe(let cccd, let indicate):
            phase = .subscribing
            subscriptions.append(cccd)
            send([ATTClient.writeRequest] + ATTClient.le(cccd) + [indicate ? 0x02 : 0x01, 0x00])
        }
    }

    /// The characteristic whose descriptors are being looked for.
    private var current: Characteristic?

    private func becomeReady() {
        timer?.cancel()
        timer = nil
        pendingOpcode = nil
        phase = .ready
        onReady()
    }

    // MARK: responses

    /// One PDU from the peer.
    func received(_ pdu: ArraySlice<UInt8>) {
        guard let opcode = pdu.first else {
            malformedPDUs += 1
            return
        }
        if opcode == ATTClient.notification || opcode == ATTClient.indication {
            return valueArrived(pdu, indicated: opcode == ATTClient.indication)
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
            case .discovering: close("ATT error 0x" + Hex.encode([code]) + " during discovery")
            default: nextStep()   // an optional step the device refused: the rest still work
            }
            return
        }
        guard opcode == pending + 1 else {
            malformedPDUs += 1
            return
        }
        responded()
        let body = pdu.dropFirst()
        switch (opcode, phase) {
        case (ATTClient.readByTypeResponse, _): characteristics(body)
        case (ATTClient.findInformationResponse, _): descriptors(body)
        case (ATTClient.writeResponse, .settingClock):
            clockSet = true
            nextStep()
        case (ATTClient.writeResponse, _): nextStep()
        case (ATTClient.readResponse, .readingBattery):
            if let reading = GATTValueDecoder.battery(body) { onReading(reading) } else { undecodedValues += 1 }
            nextStep()
        case (ATTClient.readResponse, .readingClock):
            clockRead(body)
            nextStep()
        default: malformedPDUs += 1
        }
    }

    private func responded() {
        pendingOpcode = nil
        timer?.cancel()
        timer = nil
    }

    /// A notification or indication: confirmed first (an indication), then decoded by handle.
    private func valueArrived(_ pdu: ArraySlice<UInt8>, indicated: Bool) {
        if indicated {
            indications += 1
            // Confirm even an undecodable value: the device sends nothing more until we do.
            send([ATTClient.confirmation])
        } else {
            notifications += 1
        }
        guard pdu.count >= 3 else {
            malformedPDUs += 1
            return
        }
        let handle = UInt16(pdu.unsignedLE(1, 2))
        let value = pdu.dropFirst(3)
        guard let uuid = characteristics.first(where: { $0.value == handle })?.uuid else { return }
        switch uuid {
        case BloodPressureMeasurement.uuid:
            if let measurement = BloodPressureMeasurement(value) { onBloodPressure(measurement) } else { undecodedValues += 1 }
        case GATTValueDecoder.heartRateMeasurement:
            if let reading = GATTValueDecoder.heartRate(value) { onReading(reading) } else { undecodedValues += 1 }
        case GATTValueDecoder.temperatureMeasurement:
            if let reading = GATTValueDecoder.temperature(value) { onReading(reading) } else { undecodedValues += 1 }
        case GATTValueDecoder.batteryLevel:
            if let reading = GATTValueDecoder.battery(value) { onReading(reading) } else { undecodedValues += 1 }
        default:
            break
        }
    }

    /// The device's Date Time: set it when unknown or more than `clockTolerance` off.
    private func clockRead(_ value: ArraySlice<UInt8>) {
        let gateway = now()
        if let device = GATTDateTime(value), let seconds = device.epochSeconds {
            clockOffset = seconds - gateway
            if abs(seconds - gateway) <= ATTClient.clockTolerance { return }
        } else {
            undecodedValues += 1
        }
        steps.insert(.setClock, at: 0)
    }

    /// Read By Type Response over 0x2803: `length, {handle, properties, value handle, uuid}*`.
    private func characteristics(_ body: ArraySlice<UInt8>) {
        guard let length = body.first, length == 7 || length == 21, (body.count - 1) % Int(length) == 0, body.count > 1 else {
            malformedPDUs += 1
            close("malformed Read By Type Response")
            return
        }
        var index = 1
        var last: UInt16 = 0
        while index + Int(length) <= body.count {
            let declaration = UInt16(body.unsignedLE(index, 2))
            guard declaration > last else {
                // Handles must grow; a device that repeats them would loop discovery forever.
                malformedPDUs += 1
                close("Read By Type Response handles do not increase")
                return
            }
            last = declaration
            // 128-bit UUIDs are kept only as declarations (they bound the CCCD searches).
            let uuid: UInt16 = length == 7 ? UInt16(body.unsignedLE(index + 5, 2)) : 0
            if characteristics.count < ATTClient.characteristicLimit {
                characteristics.append(Characteristic(declaration: declaration, properties: body.byte(index + 2),
                                                      value: UInt16(body.unsignedLE(index + 3, 2)), uuid: uuid))
            }
            index += Int(length)
        }
        if last == 0xFFFF { afterDiscovery() } else { discover(from: last + 1) }
    }

    /// Find Information Response: `format, {handle, uuid}*`; looks for the CCCD (0x2902).
    private func descriptors(_ body: ArraySlice<UInt8>) {
        guard let characteristic = current, body.first == 0x01, (body.count - 1) % 4 == 0 else {
            malformedPDUs += 1
            return nextStep()
        }
        var index = 1
        while index + 4 <= body.count {
            if body.unsignedLE(index + 2, 2) == 0x2902 {
                steps.insert(.subscribe(cccd: UInt16(body.unsignedLE(index, 2)), indicate: characteristic.properties & 0x20 != 0), at: 0)
                break
            }
            index += 4
        }
        nextStep()
    }
}
