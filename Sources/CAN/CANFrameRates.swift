import Runtime

/// Frames per second each way, from the tunnel's counters: each rate is the counter's rise
/// over at least one second, so asking more often (every state snapshot) keeps the last rate.
struct CANFrameRates {
    private var at: Instant?
    private var received = 0
    private var sent = 0
    private(set) var receivedPerSecond = 0.0
    private(set) var sentPerSecond = 0.0

    /// Takes the counters at `now`; the rates change once a second has passed since the last.
    mutating func update(now: Instant, received: Int, sent: Int) {
        guard let at else {
            self.at = now
            self.received = received
            self.sent = sent
            return
        }
        let elapsed = (now - at).milliseconds
        guard elapsed >= 1000 else { return }
        // A new tunnel starts its counters at zero again: a fall is a restart, not a rate.
        receivedPerSecond = received >= self.received ? Double(received - self.received) * 1000 / Double(elapsed) : 0
        sentPerSecond = sent >= self.sent ? Double(sent - self.sent) * 1000 / Double(elapsed) : 0
        self.at = now
        self.received = received
        self.sent = sent
    }
}
