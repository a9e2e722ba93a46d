/// What a bus reader hands the run loop through the ring.
public enum CANBusEvent: Equatable {
    /// A frame read from the bus.
    case frame(CANFrame)
    /// Input from the bus that was dropped (SLCAN garbage); counted and logged by the loop.
    case malformed(CANMalformation)
    /// The bus reported an error (a SocketCAN error frame, SLCAN status flags); the text
    /// says which.
    case busError(String)
    /// An SLCAN adapter's reply to a command.
    case reply(SLCANReply)
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
