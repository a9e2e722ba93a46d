import CLI
import CSupport
import Runtime

/// Selftest of the config store: set, save, reopen, compare, in a fresh temporary directory.
public enum StoreSelftests {
    /// The checks `switchyard selftest` runs for this module.
    public static var checks: [SelftestCheck] {[SelftestCheck("config store", run: roundTrip)]}

    static func roundTrip() -> SelftestOutcome {
        var template = Array("/tmp/switchyard-selftest-XXXXXX".utf8CString)
        guard let created = mkdtemp(&template) else { return .failed("mkdtemp: \(Errno.current.description)") }
        let directory = String(cString: created)
        defer { removeDirectory(directory) }

        let noEnvironment: ConfigStore.EnvironmentLookup = { _ in nil }
        let store = ConfigStore(dataDirectory: directory, environment: noEnvironment)
        do throws(StoreError) {
            try store.set("mqtt.host", to: "selftest.example")
            try store.set("mqtt.port", to: "8884")
            try store.set("mqtt.password", to: "selftest-secret")
            try store.save()
        } catch {
            return .failed(error.description)
        }
        let reopened = ConfigStore(dataDirectory: directory, environment: noEnvironment)
        guard reopened.string(StandardKeys.mqttHost) == "selftest.example",
              reopened.integer(StandardKeys.mqttPort) == 8884,
              reopened.secretValue(StandardKeys.mqttPassword) == "selftest-secret" else {
            return .failed("values did not survive save and reload")
        }
        for line in reopened.show() where line.containsText("selftest-secret") {
            return .failed("a secret was shown in clear text")
        }
        do throws(StoreError) {
            try reopened.set("mqtt.port", to: "70000")
            return .failed("an out-of-range port was accepted")
        } catch {}
        return .passed("saved, reloaded, secret masked, bad value rejected")
    }

    private static func removeDirectory(_ path: String) {
        for name in ["config", "config.prev", "config.tmp"] { unlink(path + "/" + name) }
        rmdir(path)
    }
}
