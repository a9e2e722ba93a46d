import Runtime

/// Slows password guessing on the dashboard, per client: the first `freeFailures` wrong
/// passwords cost nothing, each one after that makes the client wait, 1 s doubling up to
/// 60 s. While it waits, its requests are answered 429 without the password being looked
/// at, so a guesser gets a handful of tries a minute instead of the loop's full speed, and
/// the gateway spends nothing on the rest. A right password clears the client's record.
///
/// Bounded: at most `capacity` clients are remembered. A record is forgotten after
/// `forgetAfter` without a wrong password; when the table is full anyway, the client whose
/// last wrong password is oldest is forgotten (a guesser keeps its own records fresh, so
/// it cannot push them out by guessing harder; it takes that many other addresses).
struct LoginThrottle {
    /// One client's standing.
    struct Record {
        var failures: Int
        var lastFailure: Instant
        /// Requests are answered 429 until then.
        var blockedUntil: Instant
    }

    let capacity: Int
    let freeFailures: Int
    let firstDelay: Interval
    let maxDelay: Interval
    let forgetAfter: Interval
    private(set) var records: [ClientAddress: Record] = [:]
    /// Records dropped because the table was full.
    private(set) var evictions = 0

    init(capacity: Int = 1024, freeFailures: Int = 3, firstDelay: Interval = .seconds(1),
         maxDelay: Interval = .seconds(60), forgetAfter: Interval = .seconds(15 * 60)) {
        precondition(capacity > 0 && freeFailures >= 0 && firstDelay > .zero && maxDelay >= firstDelay,
                     "login throttle limits must be positive")
        self.capacity = capacity
        self.freeFailures = freeFailures
        self.firstDelay = firstDelay
        self.maxDelay = maxDelay
        self.forgetAfter = forgetAfter
    }

    /// How long `client` must still wait before its password is checked again; nil when it
    /// may try now.
    func wait(for client: ClientAddress, now: Instant) -> Interval? {
        guard let record = records[client], record.blockedUntil > now else { return nil }
        return record.blockedUntil - now
    }

    /// Records a wrong password from `client`; returns the wait it now has, if any.
    mutating func failed(_ client: ClientAddress, now: Instant) -> Interval? {
        var record = records[client] ?? Record(failures: 0, lastFailure: now, blockedUntil: now)
        if records[client] == nil { makeRoom(now: now) }
        record.failures += 1
        record.lastFailure = now
        let over = record.failures - freeFailures
        var delay: Interval? = nil
        if over > 0 {
            // 1 s after the last free failure, then doubling; the shift is capped so it
            // cannot overflow however long a guesser keeps going.
            let doubled = firstDelay * (Int64(1) << Int64(min(over - 1, 16)))
            delay = min(doubled, maxDelay)
            record.blockedUntil = now + delay!
        }
        records[client] = record
        return delay
    }

    /// A right password from `client`: it starts over.
    mutating func succeeded(_ client: ClientAddress) {
        records[client] = nil
    }

    /// Forgets quiet records; if the table is still full, the one whose last failure is oldest.
    private mutating func makeRoom(now: Instant) {
        guard records.count >= capacity else { return }
        let quiet = records.filter { now - $0.value.lastFailure >= forgetAfter && $0.value.blockedUntil <= now }
        for client in quiet.keys { records[client] = nil }
        guard records.count >= capacity else { return }
        var oldest: (client: ClientAddress, at: Instant)? = nil
        for (client, record) in records where oldest == nil || record.lastFailure < oldest!.at {
            oldest = (client, record.lastFailure)
        }
        if let oldest {
            records[oldest.client] = nil
            evictions += 1
        }
    }
}
