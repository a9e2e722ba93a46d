/// The turns of LE connection attempts on the one adapter. The Linux kernel runs one LE
/// connection attempt per adapter at a time and answers a second `connect()` of an ATT
/// socket (or a mgmt Pair Device) with EBUSY while the first is pending (learned in the qemu
/// boot test: a cuff and a heart-rate strap approved together). So a GATT connect or a
/// pairing asks for a turn here: one attempt runs, the others wait in the order they asked,
/// at most `capacity` of them; one more is refused and its owner asks again later (a GATT
/// link at its next maintenance, `bcms pair` with an answer saying so). An attempt ends
/// when its owner calls `finished` (connected, failed, or given up), which starts the next
/// turn. Nothing here waits: a turn is a closure called on the loop thread.
final class LEConnectQueue {
    /// Identifies one request, for `finished` and `cancel`.
    typealias Ticket = Int

    /// Requests that may wait at once.
    let capacity: Int
    /// The attempt running now, nil when the adapter is free.
    private(set) var running: Ticket?
    private var waiting: [(ticket: Ticket, turn: (Ticket) -> Void, dropped: () -> Void)] = []
    private var nextTicket: Ticket = 1
    /// Requests turned away because `capacity` were waiting.
    private(set) var refused = 0
    /// Turns started.
    private(set) var turns = 0

    init(capacity: Int) {
        precondition(capacity > 0, "an LE connect queue needs room for one waiting attempt")
        self.capacity = capacity
    }

    /// Attempts waiting for their turn.
    var waitingCount: Int { waiting.count }

    /// Asks for a turn: `turn` is called with the ticket when the adapter is free (at once
    /// when nothing runs), or `dropped` instead if `removeAll` comes first. Nil when
    /// `capacity` requests wait already (nothing is queued).
    func request(dropped: @escaping () -> Void = {}, _ turn: @escaping (Ticket) -> Void) -> Ticket? {
        guard waiting.count < capacity else {
            refused += 1
            return nil
        }
        let ticket = nextTicket
        nextTicket &+= 1
        waiting.append((ticket, turn, dropped))
        startNext()
        return ticket
    }

    /// The attempt of `ticket` ended: the next waiting one starts. A ticket still waiting is
    /// withdrawn; an unknown one is ignored, so calling it twice is harmless.
    func finished(_ ticket: Ticket) {
        if running == ticket {
            running = nil
            startNext()
        } else {
            waiting.removeAll { $0.ticket == ticket }
        }
    }

    /// Whether `ticket` waits or runs.
    func holds(_ ticket: Ticket) -> Bool { running == ticket || waiting.contains { $0.ticket == ticket } }

    /// Forgets every attempt (the service stops): no turn is called any more, and each
    /// waiting request hears `dropped` (a `bcms pair` still owes its caller an answer).
    func removeAll() {
        let dropped = waiting
        waiting.removeAll()
        running = nil
        for entry in dropped { entry.dropped() }
    }

    private func startNext() {
        // A turn that ends at once calls `finished` from inside `turn`, which starts the next
        // one from there: the recursion is bounded by `capacity`.
        guard running == nil, !waiting.isEmpty else { return }
        let next = waiting.removeFirst()
        running = next.ticket
        turns += 1
        next.turn(next.ticket)
    }
}
