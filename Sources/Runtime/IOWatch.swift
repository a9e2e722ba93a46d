import CSupport

/// What a watch waits for: readable, writable, or both. Changeable at any time.
public struct IOInterest: OptionSet, Equatable, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let read = IOInterest(rawValue: 1)
    public static let write = IOInterest(rawValue: 2)
    public static let none: IOInterest = []
}

/// What `poll` reported for a descriptor.
public struct IOEvents: OptionSet, Equatable, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let readable = IOEvents(rawValue: 1)
    public static let writable = IOEvents(rawValue: 2)
    /// Hang-up or error: the peer is gone or the descriptor is in a failed state.
    public static let hangup = IOEvents(rawValue: 4)
    public static let error = IOEvents(rawValue: 8)
    /// The descriptor is not open (POLLNVAL, reported with `.error`): it was closed under
    /// the poller.
    public static let invalid = IOEvents(rawValue: 16)
}

/// A descriptor the run loop polls, with a handler called when it is ready.
public final class IOWatch {
    public let fd: FileDescriptor
    /// What to wait for; set `.write` only while there is something to send.
    public var interest: IOInterest
    public private(set) var isActive = true
    // Nil once cancelled, like a task's body: the handler usually captures the watch's owner.
    private var handler: ((IOEvents) -> Void)?

    init(fd: FileDescriptor, interest: IOInterest, handler: @escaping (IOEvents) -> Void) {
        self.fd = fd
        self.interest = interest
        self.handler = handler
    }

    /// Stops watching and lets go of the handler. The descriptor itself stays open: its
    /// owner closes it.
    public func cancel() {
        isActive = false
        handler = nil
    }

    /// Calls the handler, unless cancelled (by an earlier handler in the same loop pass).
    func dispatch(_ events: IOEvents) {
        // A local copy: the handler may cancel its own watch, which drops the stored one.
        guard isActive, let handler else { return }
        handler(events)
    }

    var pollEvents: Int16 {
        var events: Int16 = 0
        if interest.contains(.read) { events |= Int16(POLLIN) }
        if interest.contains(.write) { events |= Int16(POLLOUT) }
        return events
    }

    static func events(fromPoll revents: Int16) -> IOEvents {
        var events: IOEvents = []
        if revents & Int16(POLLIN | POLLPRI) != 0 { events.insert(.readable) }
        if revents & Int16(POLLOUT) != 0 { events.insert(.writable) }
        if revents & Int16(POLLHUP) != 0 { events.insert(.hangup) }
        if revents & Int16(POLLERR | POLLNVAL) != 0 { events.insert(.error) }
        if revents & Int16(POLLNVAL) != 0 { events.insert(.invalid) }
        return events
    }
}
