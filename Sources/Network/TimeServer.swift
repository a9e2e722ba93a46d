/// One entry of `time.servers`: a host name or IPv4 address and a UDP port (123 unless
/// given as `host:port`).
public struct TimeServer: Equatable {
    public let host: String
    public let port: UInt16

    /// Parses `host` or `host:port`.
    public init(_ text: String) throws(NetworkError) {
        var host = text
        var port: UInt16 = 123
        if let colon = text.lastIndex(of: ":") {
            host = String(text[..<colon])
            guard let value = UInt16(String(text[text.index(after: colon)...])), value > 0 else {
                throw .badServer(text)
            }
            port = value
        }
        guard !host.isEmpty, host.utf8.count <= 253,
              host.utf8.allSatisfy({ $0 == 0x2D || $0 == 0x2E || ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A) })
        else { throw .badServer(text) }
        self.host = host
        self.port = port
    }

    /// `host:port` as the log and `state` show it.
    public var description: String { host + ":" + String(port) }
}
