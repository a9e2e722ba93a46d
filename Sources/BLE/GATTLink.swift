import Runtime

/// The GATT connection to one approved device: the ATT client while connected, whether it is
/// being bonded, and when to try again once a connect failed or the link dropped: three quick
/// retries, then a backoff.
final class GATTLink {
    let address: BLEAddress
    var client: ATTClient?
    var descriptor: OwnedDescriptor?
    /// After `quickRetries` failures in a row, attempts are spaced by this backoff (no jitter:
    /// the device talks to us alone).
    var backoff = ReconnectBackoff(initial: .seconds(30), maximum: .seconds(600), jitter: false)
    /// No new attempt before this instant.
    var notBefore: Instant
    var connects = 0
    /// Failed attempts or lost links since the last session that became ready.
    var failuresInARow = 0
    var lastProblem: String?
    /// A bonding (mgmt pairing) is running; no connect until it ends.
    var isBonding = false
    /// Its request for the adapter's LE connect turn, while it waits or its attempt runs.
    var turn: LEConnectQueue.Ticket?
    /// Connects the kernel answered EBUSY (another attempt was running): retried soon, not
    /// counted as failures of the device.
    var busyAnswers = 0
    /// EBUSY answers since the kernel last accepted a connect to the device.
    var busyInARow = 0
    /// The newest blood-pressure time stamp accepted (a cuff resends its stored readings on
    /// every connection).
    var lastMeasurementTime: Int64?
    /// Home Assistant discovery for the blood-pressure values was published.
    var announcedBloodPressure = false
    /// What the last session learned of the device's clock.
    var clockOffset: Int64?
    var clockSets = 0

    static let quickRetries = 3
    static let quickRetryDelay: Interval = .seconds(1)
    /// The first wait after an EBUSY (the other attempt ends within a connection's time),
    /// doubled on each EBUSY in a row up to 4 s: in the qemu boot test the kernel answered one
    /// device EBUSY for 50 s after its ATT session had timed out on a link the kernel kept.
    static let busyRetryDelay: Interval = .milliseconds(250)
    static let busyRetryLimit = 4

    init(address: BLEAddress, now: Instant) {
        self.address = address
        notBefore = now
    }

    var isConnected: Bool { client?.phase == .ready }

    /// The wait before the next attempt after a failure: short for the first three, then the backoff.
    func delayAfterFailure() -> Interval {
        failuresInARow += 1
        return failuresInARow <= GATTLink.quickRetries ? GATTLink.quickRetryDelay : backoff.nextDelay()
    }

    /// The wait after an EBUSY answer; not a failure of the device.
    func delayAfterBusy() -> Interval {
        busyAnswers += 1
        busyInARow += 1
        var delay = GATTLink.busyRetryDelay
        for _ in 0..<min(busyInARow - 1, GATTLink.busyRetryLimit) { delay = delay + delay }
        return delay
    }

    /// A session became ready: failures are forgotten.
    func succeeded() {
        failuresInARow = 0
        backoff.reset()
    }

    /// Drops the connection (and closes its socket).
    func close() {
        client?.stop()
        client = nil
        descriptor = nil
    }
}
