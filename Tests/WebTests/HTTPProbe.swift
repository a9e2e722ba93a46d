import Foundation
import Runtime

/// A raw HTTP/1.1 client on one kept-alive TCP connection, driven from the test thread
/// together with the dashboard's run loop: fast enough to send a thousand requests a second
/// (curl starts a process per request), and able to come from another loopback address
/// (127.0.0.2) than the default one.
final class HTTPProbe {
    /// One parsed response; status 0 when the server closed the connection without one.
    struct Response {
        let status: Int
        let headers: [String: String]
        let body: String
    }

    let fd: Int32
    private var received: [UInt8] = []
    private(set) var closed = false

    /// Connects to `127.0.0.1:port`, from `source` when given (any 127.x.y.z works on Linux).
    init(port: Int, source: String? = nil) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EMFILE) }
        if let source {
            var local = sockaddr_in()
            local.sin_family = sa_family_t(AF_INET)
            local.sin_addr.s_addr = inet_addr(source)
            let bound = withUnsafePointer(to: &local) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard bound == 0 else { throw POSIXError(.EADDRNOTAVAIL) }
        }
        guard HTTPProbe.connectLoopback(fd, port: port) else { throw POSIXError(.ECONNREFUSED) }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
    }

    deinit { close(fd) }

    /// Connects `fd` to `127.0.0.1:port` (blocking); whether it worked.
    static func connectLoopback(_ fd: Int32, port: Int) -> Bool {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }

    /// Sends `bytes` as they are (a partial request, a trickle).
    @discardableResult
    func send(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } == bytes.count
    }

    /// `GET path` with `headers` (full lines without CR LF); the response, running `loop`
    /// until it is complete or the connection closes.
    func get(_ path: String, headers: [String] = [], loop: EventLoop, timeout: TimeInterval = 5) -> Response {
        let request = "GET \(path) HTTP/1.1\r\nHost: probe\r\n" + headers.map { $0 + "\r\n" }.joined() + "\r\n"
        return exchange(Array(request.utf8), loop: loop, timeout: timeout)
    }

    /// Sends `bytes` (a request, whole or in part) and waits for a response as `get` does.
    func exchange(_ bytes: [UInt8], loop: EventLoop, timeout: TimeInterval = 5) -> Response {
        guard send(bytes) else { return Response(status: 0, headers: [:], body: "") }
        var response: Response?
        // `run` asks once more after the loop: parse only until a response is taken.
        loop.run(timeout: timeout) {
            if response == nil {
                collect()
                response = parse()
            }
            return response != nil || closed
        }
        return response ?? Response(status: 0, headers: [:], body: "")
    }

    /// Whether the server closed the connection, running `loop` until it does.
    func waitForClose(loop: EventLoop, timeout: TimeInterval) -> Bool {
        loop.run(timeout: timeout) {
            collect()
            return closed
        }
    }

    /// Reads what has arrived without waiting; notes the end of the stream.
    func collect() {
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = read(fd, &chunk, chunk.count)
            if n > 0 {
                received.append(contentsOf: chunk[0..<n])
                continue
            }
            if n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK) { closed = true }
            return
        }
    }

    /// One complete response taken off the received bytes, if there is one.
    private func parse() -> Response? {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard let end = received.indices.first(where: { received[$0...].starts(with: separator) }) else { return nil }
        let head = String(decoding: received[..<end], as: UTF8.self).components(separatedBy: "\r\n")
        var headers: [String: String] = [:]
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let length = Int(headers["content-length"] ?? "0") ?? 0
        let bodyStart = end + separator.count
        guard received.count >= bodyStart + length else { return nil }
        let status = Int(head.first?.split(separator: " ").dropFirst().first ?? "") ?? 0
        let body = String(decoding: received[bodyStart..<(bodyStart + length)], as: UTF8.self)
        received.removeSubrange(..<(bodyStart + length))
        return Response(status: status, headers: headers, body: body)
    }
}
