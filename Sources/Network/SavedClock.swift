import Runtime

/// The last known time, in `<data>/clock` (seconds since the epoch, one line), as
/// fake-hwclock keeps it: the image's rcS sets the clock from it at boot (never behind the
/// image's build time), so a board without a real-time clock starts near the right time.
struct SavedClock {
    let path: String

    init(dataDirectory: String) { path = dataDirectory + "/clock" }

    /// Writes the current time; a failure is logged by the caller (the next save retries).
    func save() throws(RuntimeError) {
        let seconds = WallClock.microsecondsSinceEpoch() / 1_000_000
        try FileSystem.replaceAtomically(path: path, bytes: Array((String(seconds) + "\n").utf8), mode: 0o644)
    }

    /// The saved time in seconds, or nil without a readable file.
    func read() -> Int64? {
        let bytes: [UInt8]?
        do throws(RuntimeError) { bytes = try FileSystem.read(path, limit: 64) } catch { return nil }
        guard let bytes else { return nil }
        var text = String(decoding: bytes, as: UTF8.self)
        while text.hasSuffix("\n") { text.removeLast() }
        return Int64(text)
    }
}
