import Runtime
import Store

/// The service's settings, read once from the store (a change restarts the service).
struct CarDataSettings {
    var clientID: String
    var authURL: String
    var catalogueURL: String
    var httpCAFile: String
    var tokenFile: String
    var rawTopic: String
    var discovery: Bool
    var discoveryPrefix: String
    var logRaw: Bool
    var stream: CarDataStreamSettings
    /// A setting that cannot work, and why.
    var problem: (key: String, reason: String)?

    init(store: ConfigStore, node: String) {
        clientID = store.string(CarDataConfigKeys.clientID)
        authURL = CarDataSettings.trimSlash(store.string(CarDataConfigKeys.authURL))
        catalogueURL = store.string(CarDataConfigKeys.catalogueURL)
        httpCAFile = store.string(CarDataConfigKeys.httpCAFile)
        tokenFile = store.string(CarDataConfigKeys.tokenFile)
        rawTopic = store.string(CarDataConfigKeys.topic)
        discovery = store.boolean(CarDataConfigKeys.discovery)
        discoveryPrefix = store.string(CarDataConfigKeys.discoveryPrefix)
        logRaw = store.boolean(CarDataConfigKeys.logRaw)
        let caFile = store.string(CarDataConfigKeys.mqttCAFile)
        stream = CarDataStreamSettings(host: store.string(CarDataConfigKeys.mqttHost),
                                       port: Int32(store.integer(CarDataConfigKeys.mqttPort)),
                                       caFile: caFile.isEmpty ? nil : caFile, clientID: "switchyard-" + node + "-bmw",
                                       vins: store.value(CarDataConfigKeys.vins))
        stream.debug = store.boolean(StandardKeys.mqttDebug)
        stream.sessionExpirySeconds = UInt32(store.value(CarDataConfigKeys.sessionExpiry).milliseconds / 1000)
        if clientID.isEmpty {
            problem = (CarDataConfigKeys.clientID.name, "set it to your CarData client ID (BMW customer portal > CarData)")
        } else if !authURL.hasPrefix("https://") && !authURL.hasPrefix("http://127.0.0.1") && !authURL.hasPrefix("http://localhost") {
            problem = (CarDataConfigKeys.authURL.name, "must be an https:// URL (plain http only to localhost, for tests)")
        }
        for vin in stream.vins where !CarDataMessage.isVIN(vin) {
            problem = (CarDataConfigKeys.vins.name, "\"" + vin + "\" is not a VIN (letters and digits)")
        }
    }

    static func trimSlash(_ url: String) -> String {
        var text = url
        while text.hasSuffix("/") { text.removeLast() }
        return text
    }
}

/// Counters for `state`.
public struct CarDataStats: Equatable {
    public var messages = 0
    public var malformed = 0
    public var badReadings = 0
    public var refreshes = 0
    public var refreshFailures = 0
    public var catalogueFailures = 0
    /// Unix seconds of the last good message (0: none yet).
    public var lastMessageAt: Int64 = 0
}
