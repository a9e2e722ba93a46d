import CLI
import CMicroHTTPD
import CSupport
import Runtime

/// `switchyard selftest`'s check of libmicrohttpd as the dashboard runs it: a daemon on a
/// loopback port the kernel picks, driven by a run loop of its own through the epoll
/// descriptor, answers one GET from a plain socket. On the device (and under qemu) this
/// proves the static library links, listens and serves without a thread of its own.
public enum WebSelftest {
    /// The checks the `web` service's descriptor lists for `switchyard selftest`.
    static var checks: [SelftestCheck] {[
        SelftestCheck("microhttpd") {
            if let problem = run() { return .failed(problem) }
            return .passed("libmicrohttpd served a request on loopback from our run loop (epoll, no thread)")
        },
    ]}

    /// Nil when a request was answered with 204 within two seconds; else what went wrong.
    public static func run() -> String? {
        let loop: EventLoop
        do throws(RuntimeError) { loop = try EventLoop() } catch { return error.description }
        let responder = FixedResponder()
        let daemon = HTTPDaemon(settings: .init(address: "127.0.0.1", port: 0, maxClients: 2), loop: loop,
                                handler: responder)
        do throws(WebError) { try daemon.start() } catch { return error.description }
        defer { daemon.stop() }

        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { return "socket failed" }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(truncatingIfNeeded: daemon.boundPort).bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        var sent = false
        var reply: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 256)
        let deadline = loop.clock.now() + .seconds(2)
        while loop.clock.now() < deadline && reply.count < 12 {
            if !sent {
                let request = "GET /selftest HTTP/1.1\r\nHost: selftest\r\nConnection: close\r\n\r\n"
                sent = request.withCString { send(fd, $0, strlen($0), Int32(MSG_NOSIGNAL)) } > 0
            }
            do throws(RuntimeError) { try loop.runOnce(maxWait: .milliseconds(10)) } catch { return error.description }
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if count > 0 { reply.append(contentsOf: buffer[0..<count]) }
        }
        let text = String(decoding: reply.prefix(12), as: UTF8.self)
        guard text == "HTTP/1.1 204" else { return "no 204 from the daemon on port " + String(daemon.boundPort) + " (got \"" + text + "\")" }
        return nil
    }

    /// Answers every request with 204.
    private final class FixedResponder: HTTPRequestHandler {
        func respond(to request: HTTPRequest) -> HTTPReply { .response(.text(204, "")) }
        func upload(_ request: HTTPRequest, length: Int) -> HTTPUploadStart? { nil }
    }
}
