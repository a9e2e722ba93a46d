import CLI

/// `switchyard selftest`'s check of libmosquitto as linked into this binary.
public enum UplinkSelftests {
    /// The checks `switchyard selftest` runs for this module.
    public static var checks: [SelftestCheck] {[SelftestCheck("mosquitto", run: mosquitto)]}

    static func mosquitto() -> SelftestOutcome {
        guard MosquittoLibrary.initialise() else { return .failed("mosquitto_lib_init failed") }
        return .passed("libmosquitto \(MosquittoLibrary.version) initialised")
    }
}
