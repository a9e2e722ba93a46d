import CMosquitto

/// Process-wide libmosquitto setup. `mosquitto_lib_init` must run once before any client;
/// it also initialises OpenSSL for the TLS transport.
public enum MosquittoLibrary {
    private static var initialised = false

    /// Initialises the library once; later calls do nothing.
    public static func initialise() -> Bool {
        if initialised { return true }
        initialised = mosquitto_lib_init() == Int32(MOSQ_ERR_SUCCESS.rawValue)
        return initialised
    }

    /// The linked library's version, e.g. "2.0.11".
    public static var version: String {
        var major: Int32 = 0, minor: Int32 = 0, revision: Int32 = 0
        mosquitto_lib_version(&major, &minor, &revision)
        return "\(major).\(minor).\(revision)"
    }
}
