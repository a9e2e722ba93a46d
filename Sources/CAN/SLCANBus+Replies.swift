import Runtime

/// What an SLCAN adapter's replies mean, kept inside the bus: the version it reports (and
/// the watchdog for a port that never answers `V`), refusals, and status flags. The reader
/// thread parses replies and queues them; the loop side interprets them here and reports
/// only generic events back to the tunnel.
extension SLCANBus {
    /// Reader thread: queues `reply` for the loop side and tells the loop it is there.
    func pass(_ reply: SLCANReply, _ deliver: (CANBusEvent) -> Void) {
        switch reply {
        case .ok, .transmitted:
            return // every command's CR, every queued frame's z: nothing to act on
        default:
            if replies.push(reply) { deliver(.busReplies) }
        }
    }

    /// Loop thread: interprets every queued reply.
    public func handleReplies(_ report: (CANBusEvent) -> Void) {
        while let reply = replies.pop() {
            switch reply {
            case .refused:
                report(.refused("the adapter refused a command (BEL)"))
            case .version(let version):
                if adapterVersion == nil { log.info(name + ": adapter version " + version) }
                adapterVersion = version
                if silentAdapter != nil {
                    silentAdapter = nil
                    onProblemChange()
                }
            case .status(let flags):
                // Bits 2, 3, 5, 7: error warning, data overrun, error passive, bus error.
                if flags & 0xAC != 0 {
                    report(.busError("adapter status flags 0x" + Hex.encode(UInt32(flags), digits: 2, .upper)))
                }
            case .ok, .transmitted, .serialNumber, .frame:
                break
            }
        }
    }

    /// Loop thread, at open: an adapter answers `V` at once; no answer within
    /// `versionTimeout` is reported (logged once) as the bus's problem, which shows as
    /// degraded health, since frames will never come from it.
    func armVersionWatchdog() {
        versionTimer?.cancel()
        adapterVersion = nil
        guard let loop else { return }
        versionTimer = loop.after(versionTimeout) { [self] in
            self.versionTimer = nil
            guard self.adapterVersion == nil, self.port != nil else { return }
            let text = self.name + ": no answer to the version request (V) within "
                + self.versionTimeout.millisecondsText + " ms: is this an SLCAN adapter? Check can.slcan_device"
            if self.silentAdapter == nil { self.log.warning(text) }
            self.silentAdapter = text
            self.onProblemChange()
        }
    }

    /// Loop thread, at open (the reader is stopped): replies left from the last session
    /// answer commands of a port that is gone.
    func discardReplies() {
        while replies.pop() != nil {}
    }
}
