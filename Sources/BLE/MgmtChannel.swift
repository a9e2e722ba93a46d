import Runtime

/// The mgmt channel inside the run loop: the kernel's control socket or a simulator's
/// SOCK_SEQPACKET socket, both carrying one mgmt packet per read and per write. Packets go
/// out through a bounded queue (written when the socket takes them); packets in are checked,
/// parsed and handed on. A malformed packet is dropped and counted, never trusted; events for
/// other controllers are ignored. Never blocks.
final class MgmtChannel {
    /// Packets waiting for a full socket: mgmt commands are few; more means the peer stopped
    /// reading, and refusing is better than holding memory.
    static let outboxLimit = 32

    /// `hci0 (kernel mgmt)`, `/tmp/mgmt.sock (simulator)`, for logs and state.
    let label: String
    /// The controller commands are sent for and events are accepted from.
    let index: UInt16
    /// A parsed event for our controller.
    var onEvent: (MgmtEvent) -> Void = { _ in }
    /// The channel failed or the peer went away; it is closed already.
    var onClosed: (String) -> Void = { _ in }

    private(set) var packetsIn = 0
    private(set) var packetsOut = 0
    /// Packets dropped for a bad length or a known event's bad layout.
    private(set) var malformedPackets = 0
    /// Events about other controllers (the kernel sends every socket everything).
    private(set) var otherControllerEvents = 0
    /// Packets refused because the outbox was full.
    private(set) var droppedPackets = 0

    private var descriptor: OwnedDescriptor?
    private let loop: EventLoop
    private var watch: IOWatch?
    private var outbox: [[UInt8]] = []
    // Big enough for the largest packet (a 65535-byte parameter block), so a long event
    // (Device Found with EIR data) is read whole instead of truncated and miscounted.
    private var buffer = [UInt8](repeating: 0, count: MgmtPacket.headerSize + 0xFFFF)

    init(descriptor: OwnedDescriptor, index: UInt16, label: String, loop: EventLoop) {
        self.descriptor = descriptor
        self.index = index
        self.label = label
        self.loop = loop
    }

    var isOpen: Bool { descriptor != nil }

    /// Starts reading.
    func start() {
        guard let descriptor, watch == nil else { return }
        watch = loop.watch(descriptor.fd, interest: .read) { [self] events in self.ready(events) }
    }

    /// Stops watching and closes the socket; nothing is called back any more.
    func close() {
        watch?.cancel()
        watch = nil
        descriptor = nil
        outbox.removeAll()
        // The handlers hold their owner: letting go of them ends the cycle.
        onEvent = { _ in }
        onClosed = { _ in }
    }

    /// Sends one packet now or when the socket takes it; false when the channel is closed or
    /// its outbox full.
    @discardableResult
    func send(_ packet: [UInt8]) -> Bool {
        guard descriptor != nil else { return false }
        guard outbox.count < MgmtChannel.outboxLimit else {
            droppedPackets += 1
            return false
        }
        outbox.append(packet)
        flush()
        return true
    }

    private func ready(_ events: IOEvents) {
        if events.contains(.readable) { readPackets() }
        guard descriptor != nil else { return }
        if events.contains(.writable) { flush() }
        guard descriptor != nil else { return }
        if !events.intersection([.hangup, .error]).isEmpty && !events.contains(.readable) {
            return fail("the mgmt channel " + label + " hung up")
        }
        watch?.interest = outbox.isEmpty ? .read : [.read, .write]
    }

    private func readPackets() {
        // A bounded number per wake-up, so a flood of events cannot starve the loop.
        for _ in 0..<32 {
            guard let descriptor else { return }
            let outcome: Result<IOResult<Int>, RuntimeError> = buffer.withUnsafeMutableBytes { bytes in
                do throws(RuntimeError) { return .success(try descriptor.fd.read(into: bytes)) } catch { return .failure(error) }
            }
            switch outcome {
            case .failure(let error): return fail("the mgmt channel " + label + " failed: " + error.description)
            case .success(.wouldBlock): return
            case .success(.done(0)): return fail("the mgmt channel " + label + " was closed by its peer")
            case .success(.done(let count)): received(buffer[0..<count])
            }
        }
    }

    /// One packet from the peer.
    func received(_ bytes: ArraySlice<UInt8>) {
        packetsIn += 1
        guard let packet = MgmtPacket.parse(bytes) else {
            malformedPackets += 1
            return
        }
        guard packet.index == index || packet.index == MgmtPacket.noController else {
            otherControllerEvents += 1
            return
        }
        guard let event = MgmtEvent.parse(packet) else {
            malformedPackets += 1
            return
        }
        onEvent(event)
    }

    private func flush() {
        while let descriptor, let packet = outbox.first {
            let outcome: Result<IOResult<Int>, RuntimeError> = packet.withUnsafeBytes { bytes in
                do throws(RuntimeError) { return .success(try descriptor.fd.write(bytes)) } catch { return .failure(error) }
            }
            switch outcome {
            case .failure(let error):
                return fail("the mgmt channel " + label + " refused a command: " + error.description)
            case .success(.wouldBlock):
                watch?.interest = [.read, .write]
                return
            case .success(.done):
                // One packet per write: the socket takes all of it or nothing.
                outbox.removeFirst()
                packetsOut += 1
            }
        }
    }

    private func fail(_ reason: String) {
        let closed = onClosed
        close()
        closed(reason)
    }
}
