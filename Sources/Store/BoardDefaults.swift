import Runtime

/// A board profile's defaults file (`board/<name>/config.defaults`), written by hand:
///
///     # Raspberry Pi 4: the console is the PL011 UART.
///     console.device = /dev/ttyAMA0
///     can.iface = can0
///
/// One `key = value` per line; blank lines and `#` comments are ignored; spaces around the
/// key and the value are trimmed. No checksum: it ships read-only in the image. A line that
/// is not `key = value` is reported (by number) and skipped.
struct BoardDefaults {
    /// Key names and the values as written, in file order.
    var settings: [(String, String)] = []
    /// One short description per malformed line.
    var malformedLines: [String] = []

    /// The defaults in the file at `path`, or nil when there is no such file.
    static func read(_ path: String) throws(StoreError) -> BoardDefaults? {
        let bytes: [UInt8]?
        do throws(RuntimeError) {
            bytes = try FileSystem.read(path, limit: ConfigDirectory.maximumFileSize)
        } catch {
            throw .io(path: path, error)
        }
        guard let bytes else { return nil }
        guard bytes.count <= ConfigDirectory.maximumFileSize else {
            throw .corruptFile(path: path, reason: "larger than 1 MiB")
        }
        return parse(bytes)
    }

    /// Parses the text of a defaults file.
    static func parse(_ bytes: [UInt8]) -> BoardDefaults {
        var result = BoardDefaults()
        let lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        for (index, rawLine) in lines.enumerated() {
            let line = trimmed(rawLine)
            if line.isEmpty || line.first == UInt8(ascii: "#") { continue }
            let number = String(index + 1)
            guard let equals = line.firstIndex(of: UInt8(ascii: "=")) else {
                result.malformedLines.append("line " + number + " is not key = value")
                continue
            }
            let name = String(decoding: trimmed(line[line.startIndex..<equals]), as: UTF8.self)
            guard AnyConfigKey.isValidName(name) else {
                result.malformedLines.append("line " + number + " has a bad key name")
                continue
            }
            let value = String(decoding: trimmed(line[(equals + 1)...]), as: UTF8.self)
            result.settings.append((name, value))
        }
        return result
    }

    private static func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var slice = bytes
        while let first = slice.first, isSpace(first) { slice = slice.dropFirst() }
        while let last = slice.last, isSpace(last) { slice = slice.dropLast() }
        return slice
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r")
    }
}
