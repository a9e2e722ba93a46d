import Foundation

/// A newline-delimited JSON-RPC client over plain TCP, the way `nc` would talk to the port.
public final class RPCClient {
    private let fd: Int32
    private var pending = Data()

    public init(port: Int, timeout: TimeInterval = 5) throws {
        guard FreePort.waitUntilListening(port, timeout: timeout) else { throw RPCClientError.notListening(port) }
        fd = FreePort.connect(port)
        guard fd >= 0 else { throw RPCClientError.notListening(port) }
        var tv = timeval(tv_sec: Int(timeout), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    /// Sends one line (a newline is added) and returns the reply line.
    public func send(line: String) throws -> String {
        let bytes = Array((line + "\n").utf8)
        _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        return try readLine()
    }

    /// Calls `method` with string `params` and returns the decoded reply object.
    public func call(_ method: String, _ params: [String] = [], id: Int = 1) throws -> [String: Any] {
        let request: [String: Any] = ["jsonrpc": "2.0", "id": id, "method": method, "params": params]
        let text = String(decoding: try JSONSerialization.data(withJSONObject: request), as: UTF8.self)
        let reply = try send(line: text)
        return (try JSONSerialization.jsonObject(with: Data(reply.utf8))) as? [String: Any] ?? [:]
    }

    /// Presents the door's token (`auth`); throws when the gateway refuses it.
    public func authenticate(_ token: String) throws {
        let reply = try call("auth", [token], id: 0)
        guard reply["result"] != nil else { throw RPCClientError.refused("\(reply)") }
    }

    public func readLine() throws -> String {
        while true {
            if let newline = pending.firstIndex(of: 0x0A) {
                let line = String(decoding: pending[pending.startIndex..<newline], as: UTF8.self)
                pending.removeSubrange(pending.startIndex...newline)
                return line
            }
            var chunk = [UInt8](repeating: 0, count: 4096)
            let n = recv(fd, &chunk, chunk.count, 0)
            guard n > 0 else { throw RPCClientError.closed }
            pending.append(contentsOf: chunk[0..<n])
        }
    }

    public enum RPCClientError: Error { case notListening(Int), closed, refused(String) }
}
