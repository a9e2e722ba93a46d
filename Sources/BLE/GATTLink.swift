import Runtime

/// Active mode's connection to one approved device: the ATT client while connected, and
/// the backoff that spaces reconnects once it is lost.
final class GATTLink {
    let address: BLEAddress
    var client: ATTClient?
    var descriptor: OwnedDescriptor?
    var backoff = ReconnectBackoff(initial: .seconds(2), maximum: .seconds(120))
    /// No new attempt before this instant.
    var notBefore: Instant
    var connects = 0
    var lastProblem: String?

    init(address: BLEAddress, now: Instant) {
        self.address = address
        notBefore = now
    }

    var isConnected: Bool { client?.phase == .ready }

    /// Drops the connection (and closes its socket).
    func close() {
        client?.stop()
        client = nil
        descriptor = nil
    }
}
