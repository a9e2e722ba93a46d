/// The version as it sits in a firmware binary: `switchyard-version:<version>;`, a string
/// literal the compiler stores verbatim. The running binary reads its own version from it
/// (`Version.string`), and `switchyard ota push` finds an image's version by searching for
/// it, so an update's manifest cannot claim a version the binary does not have.
public enum OTAVersionStamp {
    public static let prefix = "switchyard-version:"

    /// The version inside `stamp` (`switchyard-version:0.1.0;` -> `0.1.0`); the whole text
    /// when it is not a stamp.
    public static func version(in stamp: String) -> String {
        let bytes = Array(stamp.utf8)
        let head = Array(prefix.utf8)
        guard bytes.count > head.count, Array(bytes[0..<head.count]) == head,
              let end = bytes[head.count...].firstIndex(of: UInt8(ascii: ";")) else { return stamp }
        return String(decoding: bytes[head.count..<end], as: UTF8.self)
    }

    /// The first stamp's version in `bytes`, or nil when there is none.
    public static func find(in bytes: [UInt8]) -> String? {
        let head = Array(prefix.utf8)
        guard bytes.count > head.count else { return nil }
        var index = 0
        while index + head.count < bytes.count {
            guard bytes[index] == head[0] else {
                index += 1
                continue
            }
            var matches = true
            for offset in 1..<head.count where bytes[index + offset] != head[offset] {
                matches = false
                break
            }
            if matches {
                let start = index + head.count
                var end = start
                while end < bytes.count && end - start <= OTAVersion.maxLength && bytes[end] != UInt8(ascii: ";") { end += 1 }
                if end < bytes.count && bytes[end] == UInt8(ascii: ";") {
                    let text = String(decoding: bytes[start..<end], as: UTF8.self)
                    if OTAVersion(text) != nil { return text }
                }
            }
            index += 1
        }
        return nil
    }
}
