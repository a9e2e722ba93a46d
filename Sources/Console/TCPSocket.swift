import CSupport
import Runtime

/// One end of an IPv4 TCP connection.
struct TCPEndpoint: Equatable {
    /// The address as `sockaddr_in` holds it (network byte order).
    let rawAddress: UInt32
    let port: UInt16

    init(_ address: sockaddr_in) {
        rawAddress = address.sin_addr.s_addr
        port = UInt16(bigEndian: address.sin_port)
    }

    /// 127.0.0.0/8: the client runs on this machine.
    var isLoopback: Bool { UInt32(bigEndian: rawAddress) >> 24 == 127 }

    /// `a.b.c.d:port` for logs.
    var description: String {
        let host = UInt32(bigEndian: rawAddress)
        return String(host >> 24) + "." + String((host >> 16) & 0xFF) + "." + String((host >> 8) & 0xFF) + "."
            + String(host & 0xFF) + ":" + String(port)
    }
}

/// The few IPv4 TCP calls the RPC port needs, through `SystemCall` like every libc call:
/// a non-blocking listener, non-blocking accept, and `send` that never raises SIGPIPE.
enum TCPSocket {
    /// A non-blocking socket listening on `address:port` (dotted IPv4; port 0 lets the
    /// kernel pick). SO_REUSEADDR, so a restarted gateway can listen again at once even while
    /// old connections linger in TIME_WAIT.
    static func listen(address: String, port: Int, backlog: Int32) throws(ConsoleError) -> FileDescriptor {
        var socketAddress = sockaddr_in()
        socketAddress.sin_family = sa_family_t(AF_INET)
        socketAddress.sin_port = UInt16(truncatingIfNeeded: port).bigEndian
        guard port >= 0, port <= 65535, inet_pton(AF_INET, address, &socketAddress.sin_addr) == 1 else {
            throw .invalidAddress(address)
        }
        let shown = address + ":" + String(port)
        let type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        let fd: FileDescriptor
        do throws(RuntimeError) {
            fd = FileDescriptor(try SystemCall.retrying("socket") { socket(AF_INET, type, 0) })
        } catch { throw .listen(address: shown, error) }
        do throws(RuntimeError) {
            var one: Int32 = 1
            _ = try SystemCall.retrying("setsockopt(SO_REUSEADDR)") {
                setsockopt(fd.rawValue, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
            }
            _ = try SystemCall.retrying("bind") {
                withUnsafePointer(to: &socketAddress) { pointer in
                    pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                        bind(fd.rawValue, address, socklen_t(MemoryLayout<sockaddr_in>.size))
                    }
                }
            }
            _ = try SystemCall.retrying("listen") { CSupport.listen(fd.rawValue, backlog) }
        } catch {
            fd.close()
            throw .listen(address: shown, error)
        }
        return fd
    }

    /// The port `fd` is bound to (what the kernel picked for port 0), or 0 if unknown.
    static func localPort(_ fd: FileDescriptor) -> Int {
        var socketAddress = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let result = withUnsafeMutablePointer(to: &socketAddress) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd.rawValue, $0, &length) }
        }
        return result == 0 ? Int(UInt16(bigEndian: socketAddress.sin_port)) : 0
    }

    /// Accepts one pending connection as a non-blocking, close-on-exec descriptor with
    /// Nagle off (replies are small lines a client waits for), plus the peer's address;
    /// nil when no connection is pending.
    static func accept(_ listener: FileDescriptor) throws(RuntimeError) -> (fd: FileDescriptor, peer: TCPEndpoint)? {
        var peer = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        // accept4 is a GNU extension our libc shim does not declare; two fcntls do the same.
        let outcome = try SystemCall.nonBlocking("accept") {
            withUnsafeMutablePointer(to: &peer) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { CSupport.accept(listener.rawValue, $0, &length) }
            }
        }
        guard case .done(let raw) = outcome else { return nil }
        let fd = FileDescriptor(raw)
        do throws(RuntimeError) {
            _ = try SystemCall.retrying("fcntl(FD_CLOEXEC)") { sy_fcntl_setfd_cloexec(raw) }
            try fd.setNonBlocking()
        } catch {
            fd.close()
            throw error
        }
        var one: Int32 = 1
        _ = setsockopt(raw, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        return (fd, TCPEndpoint(peer))
    }

    /// The user owning the client's socket of a loopback connection `fd` accepted, or nil
    /// when the kernel cannot say (no sock_diag, the client already gone). SO_PEERCRED
    /// does not answer for TCP; the kernel's socket table does, for a client on this host.
    static func peerOwner(_ fd: FileDescriptor) -> UInt32? {
        guard let local = endpoint(fd, peer: false), let peer = endpoint(fd, peer: true), peer.isLoopback else {
            return nil
        }
        // The client's socket has the peer's end as its own and ours as its destination.
        let owner = sy_tcp4_socket_owner(peer.rawAddress, peer.port, local.rawAddress, local.port)
        return owner >= 0 && owner <= Int64(UInt32.max) ? UInt32(owner) : nil
    }

    private static func endpoint(_ fd: FileDescriptor, peer: Bool) -> TCPEndpoint? {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let result = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                peer ? getpeername(fd.rawValue, $0, &length) : getsockname(fd.rawValue, $0, &length)
            }
        }
        return result == 0 && address.sin_family == sa_family_t(AF_INET) ? TCPEndpoint(address) : nil
    }

    /// Sends what it can of `bytes`; a vanished peer is an error (EPIPE), not a SIGPIPE.
    static func send(_ fd: FileDescriptor, _ bytes: UnsafeRawBufferPointer) throws(RuntimeError) -> IOResult<Int> {
        try SystemCall.nonBlocking("send") { CSupport.send(fd.rawValue, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL)) }
    }
}
