/// What a bus reader hands the run loop through the ring. A frame and a malformed-input
/// report are plain inline values (no heap, no references), so the reader pushes them at
/// bus rate without allocating; only the rare text events carry a string.
public enum CANBusEvent: Equatable, Sendable {
    /// A frame read from the bus.
    case frame(CANFrame)
    /// Input from the bus that was dropped (SLCAN garbage); counted and logged by the loop.
    case malformed(CANMalformation)
    /// The bus reported an error (a SocketCAN error frame, SLCAN status flags); the text
    /// says which.
    case busError(String)
    /// The bus refused a command or frame written to it (an SLCAN adapter's BEL); the text
    /// says what. Counted as an adapter error.
    case refused(String)
    /// The bus's reader left replies to the bus's own commands for the bus's loop side (an
    /// SLCAN adapter's version, refusals, status flags). The tunnel only passes them on, to
    /// `CANBus.handleReplies(_:)`: what a reply means stays inside the bus.
    case busReplies
}

/// How a bus read ended.
public enum CANReceiveOutcome: Equatable {
    /// Nothing more to read now: wait for the descriptor to become readable.
    case drained
    /// The bus is gone (adapter unplugged, interface removed); the text says why.
    case closed(String)
}

/// What happened to a frame handed to a bus for transmission.
public enum CANTransmitOutcome: Equatable {
    /// Written, or queued behind earlier frames in the bus's bounded output queue.
    case accepted
    /// The output queue is full: the frame is dropped (the caller counts it).
    case full
}
