import Runtime

/// Splits the H4 bytes a controller sends (`04 | code | length | parameters`) into event
/// packets, from a byte stream (an HCI UART: reads cut packets anywhere) or a raw HCI socket
/// (one whole packet per read); both transports run the same code above.
///
/// A stream has no framing but the length bytes, so a truncated event (bytes lost on the
/// UART) would take the packets after it as its own and misframe everything behind it: one
/// cut event used to lose nearly every advert after it. So an event is delivered only when
/// `H4FrameCheck` finds it plausible and whole, and what follows it can start an event, or,
/// when junk follows, no event starts inside it (a truncated event holds the start of the
/// packet after it). Anything else loses its bytes, and framing resumes at the next plausible
/// event start. Every dropped byte is counted (`resyncBytes`), and so is every run of them
/// (`resyncs`): each run is at least one packet lost.
public struct H4Reassembler {
    /// How the transport hands the bytes over.
    public enum Source: Equatable {
        /// A byte stream (HCI UART, pty, socketpair): a read can end anywhere in a packet.
        case stream
        /// One whole packet per read (a raw HCI socket): nothing carries over to the next read.
        case packets
    }

    /// Bytes held while a packet is incomplete: an event is at most 258 bytes, the rest is
    /// room for a read's worth.
    public static let capacity = 8192

    public let source: Source
    private var pending: [UInt8] = []
    /// Whether bytes are being dropped, so a run of them counts as one resync.
    private var resynchronising = false
    /// Bytes dropped because they could not start an event.
    public private(set) var resyncBytes = 0
    /// Times framing was lost (a truncated or corrupt packet, noise): runs of dropped bytes.
    public private(set) var resyncs = 0
    /// Event packets delivered.
    public private(set) var packets = 0

    public init(source: Source = .stream) {
        self.source = source
        pending.reserveCapacity(H4Reassembler.capacity)
    }

    /// Bytes waiting for the rest of their packet.
    public var pendingCount: Int { pending.count }

    /// Forgets a partial packet (after the transport reopened).
    public mutating func reset() {
        pending.removeAll(keepingCapacity: true)
        resynchronising = false
    }

    /// Feeds `bytes`; calls `body` with each event packet after the indicator (code, length,
    /// parameters).
    public mutating func feed(_ bytes: UnsafeRawBufferPointer, _ body: (ArraySlice<UInt8>) -> Void) {
        pending.append(contentsOf: bytes)
        frame(lineQuiet: false, body)
    }

    /// How long a stream must stay silent before a held event is delivered: a UART sends a
    /// packet's bytes back to back (87 us a byte at 115200 baud), so a pause this long means
    /// nothing more of it is coming, and the last advert of a burst is not held until the next.
    public static let quietInterval = Interval.milliseconds(10)

    /// Whether a whole event waits for the next byte to tell it from a truncated one: the
    /// transport calls `lineWentQuiet` after `quietInterval` without bytes.
    public var isHolding: Bool { source == .stream && !pending.isEmpty }

    /// The stream stayed silent for `quietInterval`: a whole event held at the front is
    /// delivered (no packet follows that could start inside it); an incomplete one stays.
    public mutating func lineWentQuiet(_ body: (ArraySlice<UInt8>) -> Void) {
        frame(lineQuiet: true, body)
    }

    /// Delivers the events `pending` holds; `lineQuiet` says no more bytes are on the way.
    private mutating func frame(lineQuiet: Bool, _ body: (ArraySlice<UInt8>) -> Void) {
        var index = 0
        let count = pending.count
        scanning: while index < count {
            switch H4FrameCheck.examine(pending[index..<count]) {
            case .incomplete:
                break scanning
            case .implausible:
                drop(1)
                index += 1
            case .event(let length):
                switch judge(index, end: index + length, count: count, lineQuiet: lineQuiet) {
                case .deliver:
                    resynchronising = false
                    packets += 1
                    body(pending[(index + 1)..<(index + length)])
                    index += length
                case .wait:
                    break scanning
                case .truncatedBefore(let next):
                    drop(next - index)
                    index = next
                }
            }
        }
        if source == .packets && index < count {
            // A socket's packet never continues in the next read.
            drop(count - index)
            index = count
        }
        if index >= count {
            pending.removeAll(keepingCapacity: true)
        } else if index > 0 {
            pending.removeFirst(index)
        }
        if pending.count > H4Reassembler.capacity {
            // Cannot happen: an incomplete event is at most 258 bytes. Kept so the buffer stays bounded.
            drop(pending.count)
            pending.removeAll(keepingCapacity: true)
        }
    }

    /// What to do with the whole, plausible event at `start..<end`.
    private enum Judgement {
        case deliver
        /// More bytes are needed to tell.
        case wait
        /// It is a truncated event: the next one starts at `next`, inside it.
        case truncatedBefore(Int)
    }

    private func judge(_ start: Int, end: Int, count: Int, lineQuiet: Bool) -> Judgement {
        if end == count {
            if lineQuiet { return .deliver }
            // Nothing follows yet. A command reply goes now: the next byte may only come
            // after the next command. So does anything from a socket. Another event on a
            // stream that might be a truncated one (an event could start inside it) waits
            // for the next byte, or for the line to go quiet (`lineWentQuiet`).
            guard source == .stream, !H4FrameCheck.isCommandReply(pending[(start + 1)..<end]) else { return .deliver }
            return innerStart(start, end: end, count: count) == nil ? .deliver : .wait
        }
        if H4FrameCheck.headerFits(pending[end..<count]) { return .deliver }
        // Junk follows: either this event is a truncated one whose length took bytes of the
        // packets after it, so one of them starts inside it, or junk follows a good event.
        switch innerStart(start, end: end, count: count) {
        case nil: return .deliver
        case .event(let next)?: return .truncatedBefore(next)
        case .incomplete?: return .wait
        }
    }

    private enum InnerStart {
        case event(Int)
        case incomplete
    }

    /// The first position inside `start..<end` where an event can start, judged on every
    /// byte that has arrived.
    private func innerStart(_ start: Int, end: Int, count: Int) -> InnerStart? {
        var index = start + 1
        while index < end {
            switch H4FrameCheck.examine(pending[index..<count]) {
            case .implausible: index += 1
            case .incomplete: return .incomplete
            case .event: return .event(index)
            }
        }
        return nil
    }

    /// Counts `count` bytes dropped, and a new resync when they start a run.
    private mutating func drop(_ count: Int) {
        resyncBytes += count
        if !resynchronising {
            resynchronising = true
            resyncs += 1
        }
    }
}
