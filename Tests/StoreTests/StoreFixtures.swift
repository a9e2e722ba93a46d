import Crypto
import Foundation
import Runtime
import Store
import TestSupport

/// The Store tests' shared setup: stores over temp dirs, an environment the test controls,
/// hand-made config files (see also FakeEnvironment and LogCapture).
enum StoreFixtures {
    /// A store over `directory` with no environment unless `environment` says otherwise.
    static func store(
        _ directory: TemporaryDirectory, board: String? = nil,
        environment: FakeEnvironment = FakeEnvironment(), schema: ConfigSchema = .standard
    ) -> ConfigStore {
        ConfigStore(schema: schema, dataDirectory: directory.path, boardDefaultsPath: board,
                    environment: environment.lookup)
    }

    /// Writes a board defaults file into `directory` and returns its path.
    static func board(_ directory: TemporaryDirectory, _ text: String) -> String {
        let path = directory.file("board.defaults")
        _ = FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
        return path
    }

    /// A config file with a correct checksum around `lines` (already escaped), as a newer
    /// firmware or a careful hand might write it.
    static func signedConfig(_ lines: [String], header: String = "# switchyard config v1") -> Data {
        var body = header + "\n"
        for line in lines { body += line + "\n" }
        return Data((body + "# sha256 " + Hex.encode(SHA256.hash(body)) + "\n").utf8)
    }

    static func read(_ path: String) -> Data { FileManager.default.contents(atPath: path) ?? Data() }

    static func write(_ path: String, _ data: Data) {
        try! data.write(to: URL(fileURLWithPath: path))
    }

    static func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }
}
