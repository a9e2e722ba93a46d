/// Tells an HTTP request line (`GET / HTTP/1.1`, `POST /x HTTP/1.0`) from a JSON-RPC line.
///
/// A web page can make a browser connect to `127.0.0.1:4567` and send a request whose body
/// is JSON lines; a door that runs every line would run those. JSON-RPC never starts with
/// a word and a space (JSON starts with `{`, `[`, a quote, a digit or a literal), so the RPC
/// door refuses a connection whose first line is `METHOD SP target SP HTTP/x.y`, or whose
/// over-long first line began with `METHOD SP` (a target too long for a line hides the
/// version, and the rest of the line is skipped, so the JSON after it would run).
enum HTTPRequestLine {
    /// Whether `line` (without its line end) is `token SP target SP HTTP/digit.digit`.
    static func matches(_ line: [UInt8]) -> Bool {
        var bytes = line
        if bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
        let parts = bytes.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: false)
        guard parts.count == 3, isToken(parts[0]), !parts[1].isEmpty else { return false }
        let version = Array(parts[2])
        return version.count == 8 && version.starts(with: Array("HTTP/".utf8))
            && isDigit(version[5]) && version[6] == UInt8(ascii: ".") && isDigit(version[7])
    }

    /// Whether `prefix`, the first bytes of a line, starts as a request line does: a method
    /// token, one space, then the target's first byte.
    static func startsLikeOne(_ prefix: [UInt8]) -> Bool {
        guard let space = prefix.firstIndex(of: UInt8(ascii: " ")), space > 0, space + 1 < prefix.count else {
            return false
        }
        return isToken(prefix[..<space]) && prefix[space + 1] != UInt8(ascii: " ")
    }

    /// RFC 9110's `token`: the characters a method name is made of.
    private static func isToken(_ bytes: ArraySlice<UInt8>) -> Bool {
        !bytes.isEmpty && bytes.allSatisfy { byte in
            isDigit(byte) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
}
