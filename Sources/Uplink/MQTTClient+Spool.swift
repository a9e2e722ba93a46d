import Runtime

/// The outbox on disk (`settings.spoolPath`): written every `spoolInterval` while messages
/// wait and once more at a clean stop, removed once the outbox drained, so a kill or a power
/// cut loses at most one period and delivered messages never come back at the next start.
extension MQTTClient {
    /// `periodic` writes only when the outbox changed since the last write (writes wear SD
    /// cards) and retries a failed write next period; the stop's write always happens.
    func writeSpool(periodic: Bool) {
        guard let spoolPath = settings.spoolPath else { return }
        if periodic {
            guard outboxChanged else { return }
            outboxChanged = false
        }
        do throws(RuntimeError) {
            if outbox.isEmpty {
                if spoolOnDisk { try FileSystem.remove(spoolPath) }
                spoolOnDisk = false
                return
            }
            try OutboxSpool.save(outbox, to: spoolPath)
            spoolOnDisk = true
            if periodic {
                log.debug("spooled \(outbox.count) waiting messages to \(spoolPath)")
            } else {
                log.info("saved \(outbox.count) undelivered messages to \(spoolPath)")
            }
        } catch {
            guard periodic else {
                log.error("cannot save the outbox to \(spoolPath): \(error.description)")
                return
            }
            outboxChanged = true // try again next period
            _ = spoolProblems.warning("spool", "cannot save the outbox to \(spoolPath): \(error.description)")
        }
    }
}
