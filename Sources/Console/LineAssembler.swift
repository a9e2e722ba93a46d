/// Cuts a byte stream into newline-terminated lines with a length cap, for the RPC port and
/// a console fed through a pipe. A line over the cap is reported once, the moment it goes
/// over, and the rest of it is discarded up to its newline, so a peer that never sends a
/// newline costs at most `maxLength` bytes of memory.
struct LineAssembler {
    /// What a chunk of input produced.
    enum Event {
        /// A complete line, without its `\n` (nor a `\r` before it).
        case line([UInt8])
        /// A line went over the cap; its bytes are being discarded.
        case overlong
    }

    let maxLength: Int
    private var pending: [UInt8] = []
    private var discarding = false
    /// Lines that went over the cap.
    private(set) var overlongLines = 0
    /// Bytes thrown away: over-long lines and a partial line at `reset`.
    private(set) var discardedBytes = 0

    init(maxLength: Int) {
        precondition(maxLength > 0, "line length cap must be positive")
        self.maxLength = maxLength
    }

    /// Whether a line has started but not ended (a peer hanging up mid-line).
    var hasPartialLine: Bool { !pending.isEmpty || discarding }

    /// Feeds `bytes`, calling `handle` for each finished line or newly over-long one.
    mutating func feed(_ bytes: UnsafeRawBufferPointer, _ handle: (Event) -> Void) {
        for byte in bytes {
            if byte == TerminalBytes.lineFeed {
                if discarding {
                    discarding = false
                } else {
                    if pending.last == TerminalBytes.carriageReturn { pending.removeLast() }
                    let line = pending
                    pending.removeAll(keepingCapacity: true)
                    handle(.line(line))
                }
                continue
            }
            if discarding {
                discardedBytes += 1
                continue
            }
            // One spare byte so a `\r` right at the cap can still be the CR of CR LF.
            if pending.count >= maxLength + (byte == TerminalBytes.carriageReturn ? 1 : 0) {
                discardedBytes += pending.count + 1
                pending.removeAll()
                discarding = true
                overlongLines += 1
                handle(.overlong)
                continue
            }
            pending.append(byte)
        }
    }

    /// Drops a partial line (the peer is gone); counts its bytes as discarded.
    mutating func reset() {
        discardedBytes += pending.count
        pending.removeAll()
        discarding = false
    }
}
