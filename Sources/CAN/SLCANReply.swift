/// One thing an SLCAN adapter said: a reply to a command or a frame it received.
public enum SLCANReply: Equatable {
    /// CR alone: the last command was done.
    case ok
    /// BEL: the last command was refused (unknown, wrong state, transmit buffer full).
    case refused
    /// `z`/`Z` before CR: a transmit was queued (Lawicel adapters; CANables answer CR).
    case transmitted
    /// `V...`: hardware and firmware version.
    case version(String)
    /// `N...`: serial number.
    case serialNumber(String)
    /// `Fxx`: status flags (bit 0 RX queue full, 2 error warning, 3 data overrun,
    /// 5 error passive, 6 arbitration lost, 7 bus error).
    case status(UInt8)
    /// A frame from the bus.
    case frame(CANFrame)
}
