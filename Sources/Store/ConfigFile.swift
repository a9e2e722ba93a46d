import Crypto
import Runtime

/// The on-disk format of the user's settings, `<data dir>/config`:
///
///     # switchyard config v1
///     mqtt.host=broker.lan
///     mqtt.password=s3cr=t\\with\nnewline
///     # sha256 <64 lowercase hex digits>
///
/// - UTF-8 text; every line, the last included, ends with `\n`.
/// - Line one is the header naming the format version; a firmware reads only versions it
///   knows and falls back rather than guess.
/// - Then one `key=value` line per setting, sorted by key. Keys are `AnyConfigKey.isValidName`
///   names, so the first `=` ends the key and the value may hold `=` as it is. In values a
///   backslash is written `\\`, a line feed `\n` and a carriage return `\r`; no other escape
///   exists, so a lone backslash marks a damaged file.
/// - The last line is `# sha256 ` and the lowercase hex SHA-256 of every byte before it.
///   A file without that line (cut short) or with a different digest is corrupt.
enum ConfigFile {
    static let header = "# switchyard config v1"
    static let checksumPrefix = "# sha256 "
    private static let headerStem = "# switchyard config v"

    /// The file's bytes for `settings` (key, canonical value), written in key order.
    static func encode(_ settings: [String: String]) -> [UInt8] {
        var body: [UInt8] = Array(header.utf8)
        body.append(newline)
        for name in settings.keys.sorted() {
            precondition(AnyConfigKey.isValidName(name), "config file: bad key name")
            body.append(contentsOf: name.utf8)
            body.append(UInt8(ascii: "="))
            for byte in settings[name]!.utf8 {
                switch byte {
                case backslash: body.append(backslash); body.append(backslash)
                case newline: body.append(backslash); body.append(UInt8(ascii: "n"))
                case carriageReturn: body.append(backslash); body.append(UInt8(ascii: "r"))
                default: body.append(byte)
                }
            }
            body.append(newline)
        }
        var file = body
        file.append(contentsOf: checksumPrefix.utf8)
        file.append(contentsOf: Hex.encode(SHA256.hash(body)).utf8)
        file.append(newline)
        return file
    }

    /// The settings in `bytes`, or `.corruptFile` naming `path` and a short reason. Reasons
    /// never quote the file's contents: a damaged line may hold a secret.
    static func decode(_ bytes: [UInt8], path: String) throws(StoreError) -> [String: String] {
        func corrupt(_ reason: String) -> StoreError { .corruptFile(path: path, reason: reason) }
        guard !bytes.isEmpty else { throw corrupt("empty file") }
        guard bytes.last == newline else { throw corrupt("cut short: no checksum line") }

        // The checksum line is the last line; everything before it is what it covers.
        var start = bytes.count - 1
        while start > 0 && bytes[start - 1] != newline { start -= 1 }
        let lastLine = Array(bytes[start..<(bytes.count - 1)])
        let prefix = Array(checksumPrefix.utf8)
        guard lastLine.count == prefix.count + 64, Array(lastLine[0..<prefix.count]) == prefix else {
            throw corrupt("cut short: no checksum line")
        }
        let body = Array(bytes[0..<start])
        let recorded = String(decoding: lastLine[prefix.count...], as: UTF8.self)
        guard Hex.encode(SHA256.hash(body)) == recorded else { throw corrupt("checksum mismatch") }

        var lines = body.split(separator: newline, omittingEmptySubsequences: false)
        if lines.last?.isEmpty == true { lines.removeLast() }
        guard let first = lines.first, Array(first) == Array(header.utf8) else {
            if let first = lines.first, first.starts(with: Array(headerStem.utf8)) {
                throw corrupt("written in a newer format this firmware cannot read")
            }
            throw corrupt("not a switchyard config file")
        }

        var settings: [String: String] = [:]
        for (index, line) in lines.enumerated().dropFirst() {
            let number = String(index + 1)
            if line.isEmpty || line.first == UInt8(ascii: "#") { continue }
            guard let equals = line.firstIndex(of: UInt8(ascii: "=")) else {
                throw corrupt("line " + number + " has no '='")
            }
            let name = String(decoding: line[line.startIndex..<equals], as: UTF8.self)
            guard AnyConfigKey.isValidName(name) else { throw corrupt("line " + number + " has a bad key name") }
            guard let value = unescape(line[(equals + 1)...]) else {
                throw corrupt("line " + number + " has a bad escape")
            }
            guard settings[name] == nil else { throw corrupt("line " + number + " repeats a key") }
            settings[name] = value
        }
        return settings
    }

    /// Undoes the value escapes; nil for a backslash not followed by `\`, `n` or `r`.
    private static func unescape(_ escaped: ArraySlice<UInt8>) -> String? {
        var out: [UInt8] = []
        out.reserveCapacity(escaped.count)
        var pendingBackslash = false
        for byte in escaped {
            if pendingBackslash {
                switch byte {
                case backslash: out.append(backslash)
                case UInt8(ascii: "n"): out.append(newline)
                case UInt8(ascii: "r"): out.append(carriageReturn)
                default: return nil
                }
                pendingBackslash = false
            } else if byte == backslash {
                pendingBackslash = true
            } else {
                out.append(byte)
            }
        }
        if pendingBackslash { return nil }
        return String(decoding: out, as: UTF8.self)
    }

    private static let newline = UInt8(ascii: "\n")
    private static let carriageReturn = UInt8(ascii: "\r")
    private static let backslash = UInt8(ascii: "\\")
}
