import Contracts
import CSupport
import Runtime
import Store

/// `factory-reset`: back to the image's defaults without a shell, from the console only
/// (physical access), confirmed twice. The saved settings are not destroyed but moved to
/// `config.before-reset` in the data directory, so a mistaken reset can be undone by hand;
/// then the gateway restarts on the board's defaults.
///
/// Three steps, each within `confirmationWindow` of the one before: `factory-reset` says
/// what will happen, `factory-reset erase` asks once more, `factory-reset erase now` does it.
public enum FactoryResetCommand {
    /// How long each step waits for the next.
    static let confirmationWindow = Interval.seconds(60)
    /// The copy of the settings a reset keeps, in the data directory.
    public static let backupName = "config.before-reset"

    /// Adds `factory-reset` to `registry`; `restart` runs after the settings are gone.
    public static func register(in registry: CommandRegistry, store: ConfigStore, clock: TimeSource,
                                restart: @escaping () -> Void) {
        let steps = Steps()
        registry.register(Command(
            "factory-reset", usage: "[erase [now]]",
            help: "Forget every saved setting (a copy is kept) and restart on the defaults; console only, "
                + "confirmed twice."
        ) { request in
            guard request.origin == .console else {
                return .failure("factory-reset works only on the console (the UART), where someone is at the gateway")
            }
            let now = clock.now()
            let words = request.arguments.joined(separator: " ")
            let recent = steps.at.map { now - $0 <= confirmationWindow } ?? false
            switch words {
            case "":
                steps.reached = 1
                steps.at = now
                return .text("factory-reset forgets every saved setting (broker, devices, logins) "
                    + "and restarts on the defaults; a copy is kept as " + store.dataDirectory + "/" + backupName
                    + ".\nTo go on, type within 60 s: factory-reset erase")
            case "erase" where steps.reached == 1 && recent:
                steps.reached = 2
                steps.at = now
                return .text("Are you sure? This is the last question. Type within 60 s: factory-reset erase now")
            case "erase now" where steps.reached == 2 && recent:
                steps.reached = 0
                steps.at = nil
                do throws(RuntimeError) { try reset(dataDirectory: store.dataDirectory) } catch {
                    return .failure("factory reset failed, nothing restarted: " + error.description)
                }
                Logger("console").warning("factory reset: saved settings moved to " + backupName + "; restarting")
                restart()
                return .text("settings reset (the old ones are in " + backupName + "); restarting")
            default:
                steps.reached = 0
                steps.at = nil
                return .failure("factory-reset not confirmed: start again with factory-reset")
            }
        })
    }

    /// Moves `config` (or, without it, `config.prev`) to the backup and removes both, so
    /// the store's fallback to `config.prev` cannot bring the old settings back.
    static func reset(dataDirectory: String) throws(RuntimeError) {
        let current = dataDirectory + "/config"
        let previous = current + ".prev"
        let backup = dataDirectory + "/" + backupName
        if access(current, F_OK) == 0 {
            try FileSystem.rename(current, to: backup)
        } else if access(previous, F_OK) == 0 {
            try FileSystem.rename(previous, to: backup)
        }
        try FileSystem.remove(previous)
        // The broker settings that last connected would otherwise outlive the reset.
        try FileSystem.remove(dataDirectory + "/uplink-good/config")
        try FileSystem.syncDirectory(dataDirectory)
    }

    /// How far the confirmation got, and when.
    private final class Steps {
        var reached = 0
        var at: Instant?
    }
}
