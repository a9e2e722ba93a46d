/// The console's recent lines for up/down recall: bounded (the oldest line goes when full),
/// no empty lines, no immediate repeats. While the user walks it, the line being typed is
/// kept as a draft and comes back when they walk past the newest entry.
struct CommandHistory {
    let limit: Int
    private(set) var entries: [[UInt8]] = []
    /// Index into `entries` while walking; nil while editing a fresh line.
    private var position: Int? = nil
    private var draft: [UInt8] = []

    init(limit: Int) {
        precondition(limit > 0, "history limit must be positive")
        self.limit = limit
    }

    /// Records a submitted line and ends any walk.
    mutating func add(_ line: [UInt8]) {
        position = nil
        draft = []
        guard !line.isEmpty, entries.last != line else { return }
        if entries.count == limit { entries.removeFirst() }
        entries.append(line)
    }

    /// The previous (older) entry, or nil when there is none; `current` is the line being
    /// edited, kept as the draft when the walk starts.
    mutating func older(current: [UInt8]) -> [UInt8]? {
        guard !entries.isEmpty else { return nil }
        if let position {
            guard position > 0 else { return nil }
            self.position = position - 1
        } else {
            draft = current
            position = entries.count - 1
        }
        return entries[position!]
    }

    /// The next (newer) entry, the draft after the newest one, or nil when not walking.
    mutating func newer() -> [UInt8]? {
        guard let position else { return nil }
        if position + 1 < entries.count {
            self.position = position + 1
            return entries[position + 1]
        }
        self.position = nil
        let restored = draft
        draft = []
        return restored
    }

    /// Ends a walk without changing the line (Ctrl-C).
    mutating func resetWalk() {
        position = nil
        draft = []
    }
}
