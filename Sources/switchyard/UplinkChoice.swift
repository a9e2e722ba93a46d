import Runtime
import Store
import Uplink

/// Which settings the uplink starts with. The current ones when they pass
/// `UplinkSettingsCheck` and make a session; else the copy that last connected
/// (`LastGoodUplink`); else a client that is never started. In safe mode the copy comes
/// first. Only a client that cannot be made at all (no memory) ends the start.
struct UplinkChoice {
    let client: MQTTClient
    /// What is wrong with the current settings, each naming its key.
    let problems: [SettingProblem]
    /// Why the client does not use the current settings, when it does not.
    let fallback: String?
    /// False when no settings could make a session: the client must not be started.
    let usable: Bool

    static func make(store: ConfigStore, kept: ConfigStore?, mode: GatewayMode, node: String,
                     will: MQTTWill?, loop: EventLoop) throws(GatewayError) -> UplinkChoice {
        var problems = UplinkSettingsCheck.problems(in: store)
        var candidates: [(store: ConfigStore, note: String?)] = []
        if problems.isEmpty { candidates.append((store, nil)) }
        if let kept {
            let note = mode == .safe ? "safe mode: using the broker settings that last connected"
                                     : "the broker settings are not usable; using the ones that last connected"
            if mode == .safe { candidates.insert((kept, note), at: 0) } else { candidates.append((kept, note)) }
        }
        for candidate in candidates {
            do throws(UplinkError) {
                var settings = try MQTTSettings.local(from: candidate.store, node: node)
                settings.will = will
                let client = try MQTTClient(name: "uplink", settings: settings, loop: loop)
                return UplinkChoice(client: client, problems: problems, fallback: candidate.note, usable: true)
            } catch {
                if candidate.store === store { problems.append(SettingProblem(key: "mqtt", reason: error.description)) }
            }
        }
        var inert = MQTTSettings(host: "localhost", port: 1883, clientID: "switchyard-" + node)
        inert.will = will
        do throws(UplinkError) {
            let client = try MQTTClient(name: "uplink", settings: inert, loop: loop)
            return UplinkChoice(client: client, problems: problems, fallback: nil, usable: false)
        } catch {
            throw .uplink(error)
        }
    }
}
