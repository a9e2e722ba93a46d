import CapnProto
import Runtime
import ServiceKit

/// The original BCMS protocol, Cap'n Proto two-party RPC, on the gateway's RPC port beside
/// JSON-RPC: a connection whose first byte is not text (a Cap'n Proto message starts with
/// its segment count minus one) is handed here by the port's door. No token, as the
/// original: so only loopback clients are served, and the door is only offered when the
/// port itself is bound to loopback (`BLEService` checks `rpc.bind`).
final class BCMSCapnpDoor: ByteStreamDoor {
    let server: CapnpServer
    private let log = Logger("bcms-capnp")
    /// Connections refused because they came from another machine.
    private(set) var remoteRefused = 0

    /// Runs a `bcms` request: set by the service while it runs (`BLEService.start`), nil
    /// otherwise, so the door holds no reference to a stopped service.
    var handler: ((CommandRequest, @escaping (CommandReply) -> Void) -> Void)?

    init(loop: EventLoop) {
        server = CapnpServer(loop: loop, name: "bcms-capnp")
    }

    /// JSON-RPC text starts with printable ASCII or whitespace (tab, newline, return); a
    /// Cap'n Proto stream starts with a segment count minus one: 0 for every client's
    /// one-segment first message.
    func claims(firstByte: UInt8) -> Bool {
        if firstByte >= 0x80 { return true }
        return firstByte < 0x20 && firstByte != 0x09 && firstByte != 0x0A && firstByte != 0x0D
    }

    func adopt(_ fd: FileDescriptor, peer: String, isLoopback: Bool, initialBytes: [UInt8]) {
        guard isLoopback else {
            remoteRefused += 1
            log.warning("Cap'n Proto client " + peer + " refused: the BCMS protocol has no authentication, "
                        + "so only clients on this machine are served")
            fd.close()
            return
        }
        // Each connection's capability reaches the service through this door while it is open.
        let bootstrap = BCMSCapnpInterface { [self] request, answer in
            guard let handler = self.handler else { return answer(.failure("the BLE service is not running")) }
            handler(request, answer)
        }
        server.adopt(fd, peer: peer, initialBytes: initialBytes, bootstrap: bootstrap)
    }

    func stop() { server.stop() }
}
