import Runtime
import ServiceKit

/// Why the last run ended, as the supervisor wrote it to `<data>/last-crash`. Taken once:
/// the start that shows it renames it to `last-crash.seen`, so the next start does not
/// report an old crash as new (and a person can still read it there).
enum LastCrashRecord {
    static func take(dataDirectory: String) -> String? {
        let path = dataDirectory + "/" + SupervisorLink.lastCrashFile
        guard let bytes = try? FileSystem.read(path, limit: 4096), !bytes.isEmpty else { return nil }
        try? FileSystem.rename(path, to: path + ".seen")
        var text = String(decoding: bytes.prefix(4096), as: UTF8.self)
        while text.hasSuffix("\n") { text.removeLast() }
        return text
    }
}
