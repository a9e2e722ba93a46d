import CMosquitto
import Synchronization

/// Process-wide libmosquitto setup. `mosquitto_lib_init` must run once before any client;
/// it also initialises OpenSSL for the TLS transport.
public enum MosquittoLibrary {
    // An atomic, so a second thread calling this cannot observe a half-set flag; callers
    // still initialise from the main thread before starting others, as the library asks.
    private static let initialised = Atomic<Bool>(false)

    /// Initialises the library once; later calls do nothing.
    public static func initialise() -> Bool {
        if initialised.load(ordering: .acquiring) { return true }
        let ok = mosquitto_lib_init() == Int32(MOSQ_ERR_SUCCESS.rawValue)
        initialised.store(ok, ordering: .releasing)
        return ok
    }

    /// The linked library's version, e.g. "2.0.11".
    public static var version: String {
        var major: Int32 = 0, minor: Int32 = 0, revision: Int32 = 0
        mosquitto_lib_version(&major, &minor, &revision)
        return "\(major).\(minor).\(revision)"
    }
}
