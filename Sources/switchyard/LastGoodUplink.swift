import CSupport
import Runtime
import ServiceCatalog
import Store
import Uplink

/// The saved settings the uplink last connected with, kept in `<data>/uplink-good/config`
/// (mode 0600: it holds the broker password). When the current settings cannot make a
/// session, or in safe mode, the gateway connects with these instead, so a person can still
/// reach it over MQTT while the console says which key is wrong.
struct LastGoodUplink {
    let directory: String
    private let currentFile: String
    private let log = Logger("switchyard")

    init(dataDirectory: String) {
        directory = dataDirectory + "/uplink-good"
        currentFile = dataDirectory + "/config"
    }

    /// The copy as a store (the same board defaults and environment as `store`), or nil
    /// when the uplink never connected on this data directory.
    func store(like store: ConfigStore) -> ConfigStore? {
        guard access(directory + "/config", R_OK) == 0 else { return nil }
        return ConfigStore(schema: store.schema, dataDirectory: directory, boardDefaultsPath: store.boardDefaultsPath)
    }

    /// Keeps the saved settings now in force as the last good ones (after a connect with
    /// them). Unchanged bytes are not written again, so a reconnect costs one read.
    func remember() {
        do throws(RuntimeError) {
            let bytes = try FileSystem.read(currentFile, limit: 64 << 10) ?? []
            if let kept = try FileSystem.read(directory + "/config", limit: 64 << 10), kept == bytes { return }
            try FileSystem.makeDirectory(directory)
            try FileSystem.replaceAtomically(path: directory + "/config", bytes: bytes, mode: 0o600)
            log.debug("kept the broker settings that connected in " + directory)
        } catch {
            log.warning("cannot keep the broker settings that connected: " + error.description)
        }
    }
}
