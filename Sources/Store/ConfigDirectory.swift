import Runtime

/// The user's settings files in the data directory and how they change: `config` (the
/// current settings), `config.prev` (the last good copy) and `config.tmp` (a save in flight).
///
/// A save never changes `config` in place. It writes `config.tmp` (mode 0600: the file
/// holds secrets) and fsyncs it, makes `config.prev` a hard link to the current `config`,
/// renames `config.tmp` over `config` and fsyncs the directory. A process killed or a power
/// cut at any step leaves `config` either the old complete file or the new one; `config.prev`
/// is only a second line of defence, for damage that comes from outside (a bad SD card).
struct ConfigDirectory {
    /// Larger files are rejected as corrupt rather than read into memory, and `set` refuses
    /// a value that would make the next save larger. Settings are a few KiB; 64 KiB leaves
    /// room for tokens and lists and still reads in one go on a small board.
    static let maximumFileSize = 64 << 10

    let directory: String
    let current: String
    let previous: String

    init(_ directory: String) {
        self.directory = directory
        current = directory + "/config"
        previous = current + ".prev"
    }

    /// The saved settings, the copy they came from, and a line to log when that copy is not
    /// `config` itself (nil on success and on first boot).
    func load() -> (settings: [String: String], outcome: ConfigLoadOutcome, report: String?) {
        let primary = read(current)
        if case .success(let settings?) = primary { return (settings, .current, nil) }
        let fallback = read(previous)
        switch (primary, fallback) {
        case (.success(nil), .success(nil)):
            return ([:], .noFile, nil)
        case (.success(nil), .success(let settings?)):
            return (settings, .lastGoodCopy, current + " is missing; using the last good copy " + previous)
        case (.failure(let problem), .success(let settings?)):
            return (settings, .lastGoodCopy, problem.description + "; using the last good copy " + previous)
        case (.failure(let problem), .success(nil)):
            return ([:], .defaultsAfterFailure, problem.description + " and there is no last good copy; using defaults")
        case (.failure(let problem), .failure(let previousProblem)):
            return ([:], .defaultsAfterFailure, problem.description + ", and the last good copy "
                + previousProblem.description + "; using defaults")
        case (.success(nil), .failure(let previousProblem)):
            return ([:], .defaultsAfterFailure, current + " is missing, and the last good copy "
                + previousProblem.description + "; using defaults")
        case (.success(.some), _):
            preconditionFailure("unreachable: handled above")
        }
    }

    /// Replaces the saved settings with `bytes` (see the type's comment for the steps).
    func save(_ bytes: [UInt8]) throws(StoreError) {
        try io(directory) { () throws(RuntimeError) in try FileSystem.makeDirectory(directory) }
        // Only a good `config` becomes the last good copy: after loading from `config.prev`
        // because `config` was damaged, rotating would throw away the one good copy left.
        let rotate: Bool
        if case .success(.some) = read(current) { rotate = true } else { rotate = false }
        try io(current) { () throws(RuntimeError) in
            try FileSystem.replaceAtomically(path: current, bytes: bytes, mode: 0o600) { () throws(RuntimeError) in
                guard rotate else { return }
                try FileSystem.remove(previous)
                if try !FileSystem.link(current, as: previous) {
                    // No hard links (FAT): rename instead. Until the next rename lands there
                    // is no `config`, and a load in that window uses `config.prev`.
                    try FileSystem.rename(current, to: previous)
                }
            }
        }
    }

    /// The settings in the file at `path`: `.success(nil)` when there is no such file.
    func read(_ path: String) -> Result<[String: String]?, StoreError> {
        let bytes: [UInt8]?
        do throws(RuntimeError) {
            bytes = try FileSystem.read(path, limit: ConfigDirectory.maximumFileSize)
        } catch {
            return .failure(.io(path: path, error))
        }
        guard let bytes else { return .success(nil) }
        guard bytes.count <= ConfigDirectory.maximumFileSize else {
            return .failure(.corruptFile(path: path, reason: "larger than 1 MiB"))
        }
        do throws(StoreError) {
            return .success(try ConfigFile.decode(bytes, path: path))
        } catch {
            return .failure(error)
        }
    }

    /// Runs one file-system step, turning its error into `StoreError.io` naming `path`.
    private func io(_ path: String, _ body: () throws(RuntimeError) -> Void) throws(StoreError) {
        do throws(RuntimeError) {
            try body()
        } catch {
            throw .io(path: path, error)
        }
    }
}
