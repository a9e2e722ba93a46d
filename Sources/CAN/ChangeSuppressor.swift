/// "Only on change": remembers the last flags and data seen per id and says whether a frame
/// differs from it. Cyclic ECU traffic repeats most frames unchanged many times a second;
/// suppressing repeats cuts broker load by orders of magnitude.
///
/// Bounded: it tracks at most `capacity` ids. Once full, frames of ids it does not know yet
/// always pass (and are counted in `untracked`): losing a change is worse than publishing
/// a repeat.
public struct ChangeSuppressor {
    public let capacity: Int
    private var last: [UInt64: Entry] = [:]
    /// Frames that passed only because the table was full.
    public private(set) var untracked = 0

    private struct Entry: Equatable {
        var flags: UInt8
        var data: CANFrameData
    }

    /// A suppressor remembering at most `capacity` ids.
    public init(capacity: Int = 8192) {
        precondition(capacity > 0, "a change suppressor needs room for one id")
        self.capacity = capacity
    }

    /// Ids currently remembered.
    public var trackedIDs: Int { last.count }

    /// Whether `frame` should be published: true when its id is new or its flags or data
    /// changed since the last frame of that id. Records the frame either way.
    public mutating func isChanged(_ frame: CANFrame) -> Bool {
        // Standard and extended id 0x100 are different messages.
        let key = UInt64(frame.id) | (frame.isExtended ? 1 << 32 : 0)
        var flags: UInt8 = 0
        if frame.isRemote { flags |= 1 }
        if frame.isFD { flags |= 2 }
        let entry = Entry(flags: flags, data: frame.data)
        if let previous = last[key] {
            if previous == entry { return false }
            last[key] = entry
            return true
        }
        if last.count >= capacity {
            untracked += 1
            return true
        }
        last[key] = entry
        return true
    }

    /// Forgets every id (e.g. after the bus reopened, so the first frames pass again).
    public mutating func reset() {
        last.removeAll(keepingCapacity: true)
    }
}
