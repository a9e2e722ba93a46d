import Runtime

/// Which board profile `switchyard run` applies, and why (logged at start, so a wrong guess
/// is one line away from its cause). First match wins:
///
/// 1. `--config FILE`: that file, whatever it says (the way it has always worked);
/// 2. a board named in the settings: `board.name` saved with `config set board.name rpi4`,
///    or `$SWITCHYARD_BOARD`;
/// 3. the device tree: `model`, then `compatible`, under `$SWITCHYARD_DEVICE_TREE`
///    (default /proc/device-tree; tests point it at a directory of their own);
/// 4. none: the keys' own defaults (board `generic`).
///
/// A named board's defaults file is `<boards>/<name>.conf`, `<boards>` being
/// `$SWITCHYARD_BOARDS` or /etc/switchyard/boards (where the image installs board/*/defaults.conf).
public struct BoardSelection: Equatable {
    public static let defaultDeviceTree = "/proc/device-tree"
    public static let defaultBoardsDirectory = "/etc/switchyard/boards"

    /// The board's name, or nil when none was named or detected.
    public let board: String?
    /// The defaults file to apply (nil: none applies).
    public let defaultsPath: String?
    /// One line for the log: where the choice came from.
    public let reason: String

    public init(board: String?, defaultsPath: String?, reason: String) {
        self.board = board
        self.defaultsPath = defaultsPath
        self.reason = reason
    }

    /// Looks up an environment variable; tests pass their own.
    public typealias Environment = (String) -> String?

    /// Chooses as described above. `configuredBoard` is `board.name` when the user saved it
    /// or the environment set it (not the key's default).
    public static func choose(configFile: String?, configuredBoard: String?, environment: Environment) -> BoardSelection {
        if let configFile, !configFile.isEmpty {
            return BoardSelection(board: nil, defaultsPath: configFile, reason: "--config " + configFile)
        }
        let boards = nonEmpty(environment("SWITCHYARD_BOARDS")) ?? defaultBoardsDirectory
        if let name = nonEmpty(configuredBoard) {
            return named(name, boards: boards, because: "board.name setting")
        }
        let tree = nonEmpty(environment("SWITCHYARD_DEVICE_TREE")) ?? defaultDeviceTree
        let model = readProperty(tree + "/model")
        let compatible = readProperty(tree + "/compatible")
        if let profile = BoardProfile.identify(model: model.first, compatible: compatible) {
            let evidence = model.first.map { tree + "/model \"" + $0 + "\"" }
                ?? tree + "/compatible \"" + (compatible.first ?? "") + "\""
            return named(profile.name, boards: boards, because: evidence)
        }
        let seen = model.first.map { "model \"" + $0 + "\" is no board we know" } ?? "no model in " + tree
        return BoardSelection(board: nil, defaultsPath: nil, reason: seen + "; using the keys' own defaults")
    }

    private static func named(_ name: String, boards: String, because reason: String) -> BoardSelection {
        // A name becomes a path: refuse anything that could leave the boards directory.
        guard isSafeName(name) else {
            return BoardSelection(board: nil, defaultsPath: nil,
                                  reason: reason + " names \"" + name + "\", which is not a board name; using no board defaults")
        }
        let path = boards + "/" + name + ".conf"
        return BoardSelection(board: name, defaultsPath: path, reason: "board " + name + " from " + reason + ", defaults " + path)
    }

    static func isSafeName(_ name: String) -> Bool {
        guard !name.isEmpty, name.utf8.count <= 64, name.first != "." else { return false }
        return name.utf8.allSatisfy { byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
        }
    }

    private static func nonEmpty(_ text: String?) -> String? {
        guard let text, !text.isEmpty else { return nil }
        return text
    }

    /// A device-tree string property: NUL-separated strings (`compatible` lists several).
    /// Missing or unreadable reads as none; 4 KiB is far more than any model string.
    static func readProperty(_ path: String) -> [String] {
        let bytes: [UInt8]?
        do throws(RuntimeError) { bytes = try FileSystem.read(path, limit: 4096) } catch { return [] }
        guard let bytes else { return [] }
        var strings: [String] = []
        for part in bytes.prefix(4096).split(separator: 0) {
            let text = String(decoding: part, as: UTF8.self)
            let trimmed = text.hasSuffix("\n") ? String(text.dropLast()) : text
            if !trimmed.isEmpty { strings.append(trimmed) }
        }
        return strings
    }
}
