import CSupport
import Runtime

/// Publishes of one loop pass leave in as few TCP segments as fit.
///
/// libmosquitto writes each PUBLISH to the socket as it is handed over: at a bus's 9,000
/// frames/s that is a segment per frame, and on loopback each segment's delivery to the
/// broker is paid for inside our `write`. The first publish of a pass corks the socket
/// (`TCP_CORK` on `mosquitto_socket()`), the end of the same pass uncorks it, and the kernel
/// sends what queued meanwhile together. Nothing waits past the pass, so no latency is added;
/// the MQTT bytes are the same. A socket that cannot be corked just sends as before.
extension MQTTClient {
    /// Corks the session's socket until the end of this loop pass (once per pass).
    func holdSendsForThisPass() {
        guard corkedSocket == nil, let fd = session.socket, setCork(fd, on: true) else { return }
        corkedSocket = fd
        // A zero-delay timer fires in this same pass, after the handlers that published.
        loop.after(.zero) { [self] in self.releaseHeldSends() }
    }

    /// Uncorks the socket corked this pass, which sends what waits in it now.
    func releaseHeldSends() {
        guard let fd = corkedSocket else { return }
        corkedSocket = nil
        // A reconnect in between closed that socket: the new one was never corked.
        if session.socket == fd { _ = setCork(fd, on: false) }
    }

    /// Whether `TCP_CORK` could be set on `fd`.
    private func setCork(_ fd: FileDescriptor, on: Bool) -> Bool {
        do throws(RuntimeError) {
            try SystemCall.setOption(fd, level: Int32(IPPROTO_TCP), option: TCP_CORK, to: Int32(on ? 1 : 0),
                                     name: "setsockopt(TCP_CORK)")
            return true
        } catch {
            return false
        }
    }
}
