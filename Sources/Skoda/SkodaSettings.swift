import Store

/// The `skoda.*` settings as read once when the service is made (a change restarts it).
struct SkodaSettings {
    let userID: String
    let vins: [String]
    let refreshToken: String
    let fcmToken: String
    let refreshURL: String
    let mqttHost: String
    let mqttPort: Int
    let mqttTLS: Bool
    let mqttCAFile: String
    let discoveryPrefix: String?

    init(store: ConfigStore) {
        userID = store.string(SkodaConfigKeys.userID)
        vins = store.value(SkodaConfigKeys.vins)
        refreshToken = store.secretValue(SkodaConfigKeys.refreshToken)
        fcmToken = store.secretValue(SkodaConfigKeys.fcmToken)
        refreshURL = store.string(SkodaConfigKeys.refreshURL)
        mqttHost = store.value(SkodaConfigKeys.mqttHost)
        mqttPort = store.integer(SkodaConfigKeys.mqttPort)
        mqttTLS = store.boolean(SkodaConfigKeys.mqttTLS)
        mqttCAFile = store.string(SkodaConfigKeys.mqttCAFile)
        discoveryPrefix = store.boolean(SkodaConfigKeys.discovery) ? store.string(SkodaConfigKeys.discoveryPrefix) : nil
    }

    /// What cannot work, as the error `start()` throws.
    func problem() -> SkodaError? {
        if userID.isEmpty { return .setting(key: SkodaConfigKeys.userID.name, reason: "not set: your MySkoda user id (UUID)") }
        if userID.contains("/") || userID.contains("+") || userID.contains("#") {
            return .setting(key: SkodaConfigKeys.userID.name, reason: "must not contain / + or #")
        }
        for vin in vins where vin.isEmpty || vin.contains("/") || vin.contains("+") || vin.contains("#") {
            return .setting(key: SkodaConfigKeys.vins.name, reason: "\"\(vin)\" is not a VIN")
        }
        if refreshToken.isEmpty {
            return .setting(key: SkodaConfigKeys.refreshToken.name, reason: "not set: log in with the app flow and set it")
        }
        if fcmToken.isEmpty {
            return .setting(key: SkodaConfigKeys.fcmToken.name,
                            reason: "not set: the broker wants a TOTP derived from the FCM token since March 2026")
        }
        if refreshURL.isEmpty { return .setting(key: SkodaConfigKeys.refreshURL.name, reason: "not set") }
        return nil
    }

    /// The subscription filters: one per VIN, or every car of the account.
    var filters: [String] {
        vins.isEmpty ? [userID + "/+/#"] : vins.map { userID + "/" + $0 + "/#" }
    }
}
