import CMicroHTTPD

/// One event's bytes (`data: {...}\n\n`), shared by every stream it is sent to: a snapshot
/// is printed once per update, however many pages are open.
final class EventBytes {
    let bytes: [UInt8]
    init(_ text: String) { bytes = Array(text.utf8) }
}

/// One open `text/event-stream` response (a page's live updates).
///
/// Bounded by design: a stream holds the event it is sending and at most one more. A newer
/// event replaces a waiting one (counted as superseded), so a slow client gets fewer updates,
/// never a growing queue, and the loop never waits for it: libmicrohttpd writes only what
/// the socket takes. (A page that so misses a delta sees the gap in the events' ids and
/// reconnects for a whole snapshot: see `WebStateDelta`.)
final class HTTPEventStream {
    /// The connection while it is open; nil once libmicrohttpd let go of the response.
    private var connection: OpaquePointer?
    private var current: EventBytes?
    private var offset = 0
    private var next: EventBytes?
    private var suspended = false
    private var closing = false
    /// Events replaced before they were sent (the client read too slowly).
    private(set) var superseded = 0
    /// Events written completely.
    private(set) var sent = 0
    /// Called once when libmicrohttpd is done with the stream (client gone, daemon stopped).
    var onFinish: ((HTTPEventStream) -> Void)?

    init(connection: OpaquePointer) {
        self.connection = connection
    }

    var isOpen: Bool { connection != nil }

    /// Queues `event`, replacing one still waiting; wakes the connection if it was idle.
    func push(_ event: EventBytes) {
        guard connection != nil, !closing else { return }
        if next != nil { superseded += 1 }
        next = event
        resume()
    }

    /// Ends the stream after the event being sent (the daemon is stopping).
    func close() {
        closing = true
        next = nil
        resume()
    }

    private func resume() {
        guard suspended, let connection else { return }
        suspended = false
        MHD_resume_connection(connection)
    }

    /// libmicrohttpd's content reader: copies up to `max` bytes of the current event into
    /// `buffer`. With nothing to send it suspends the connection (so it is not polled again
    /// until `push`) and returns 0, as libmicrohttpd asks.
    func read(into buffer: UnsafeMutablePointer<CChar>, max: Int) -> Int {
        if current == nil, let waiting = next {
            current = waiting
            next = nil
            offset = 0
        }
        guard let event = current else {
            if closing { return sy_mhd_end_of_stream() }
            if let connection, !suspended {
                suspended = true
                MHD_suspend_connection(connection)
            }
            return 0
        }
        let count = min(max, event.bytes.count - offset)
        event.bytes.withUnsafeBufferPointer { source in
            UnsafeMutableRawPointer(buffer).copyMemory(from: source.baseAddress! + offset, byteCount: count)
        }
        offset += count
        if offset == event.bytes.count {
            current = nil
            sent += 1
        }
        return count
    }

    /// libmicrohttpd released the response: the connection is gone.
    func finished() {
        connection = nil
        suspended = false
        current = nil
        next = nil
        let handler = onFinish
        onFinish = nil
        handler?(self)
    }
}
