/// Splits the byte stream from an SLCAN adapter into lines: CR ends a line, BEL is a refusal
/// on its own, LF is ignored (some adapters send CR LF). Bounded: a line longer than any
/// valid one is discarded up to its CR and reported once as garbage, so a babbling adapter
/// cannot grow memory.
public struct SLCANLineReader {
    private var line: [UInt8] = []
    private var overlong = false
    /// Bytes discarded as parts of overlong lines.
    public private(set) var discardedBytes = 0

    /// A reader with no partial line.
    public init() {
        line.reserveCapacity(SLCANCodec.maxLineLength)
    }

    /// One unit of adapter output.
    public enum Item: Equatable {
        /// A complete line without its CR.
        case line([UInt8])
        /// BEL: the adapter refused a command.
        case refusal
        /// A line longer than `SLCANCodec.maxLineLength`: its first bytes, for the log.
        case overlong([UInt8])
    }

    /// Feeds `bytes`; calls `emit` for each complete item, in order.
    public mutating func feed(_ bytes: UnsafeRawBufferPointer, _ emit: (Item) -> Void) {
        for byte in bytes {
            switch byte {
            case 0x0D:
                if overlong {
                    emit(.overlong(line))
                    overlong = false
                } else {
                    emit(.line(line))
                }
                line.removeAll(keepingCapacity: true)
            case 0x07:
                emit(.refusal)
            case 0x0A:
                continue
            default:
                if overlong {
                    discardedBytes += 1
                } else if line.count >= SLCANCodec.maxLineLength {
                    overlong = true
                    discardedBytes += 1
                } else {
                    line.append(byte)
                }
            }
        }
    }

    /// Convenience for tests and the fuzzer.
    public mutating func feed(_ bytes: [UInt8], _ emit: (Item) -> Void) {
        bytes.withUnsafeBytes { feed($0, emit) }
    }

    /// Forgets a partial line (after the port reopened).
    public mutating func reset() {
        line.removeAll(keepingCapacity: true)
        overlong = false
    }
}
