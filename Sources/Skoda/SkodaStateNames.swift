/// The names the maintained MySkoda client gives the state words of push events, so our
/// topics say `READY_FOR_CHARGING` whatever spelling the push used. Matching is ASCII
/// case-insensitive (the client's enums are), plus the push-only aliases it maps.
/// nil: a word the client does not know either (the raw value is still published).
enum SkodaStateNames {
    static let chargingStates = ["READY_FOR_CHARGING", "CONNECT_CABLE", "CONSERVING", "CHARGING",
                                 "CHARGING_INTERRUPTED", "ERROR"]
    static let chargingStateAliases: [(String, String)] = [
        ("chargePurposeReachedAndNotConservationCharging", "READY_FOR_CHARGING"),
        ("readyForCharging", "READY_FOR_CHARGING"),
        ("notReadyForCharging", "CONNECT_CABLE"),
        ("chargePurposeReachedAndConservation", "CONSERVING"),
    ]
    static let chargeModes = ["HOME_STORAGE_CHARGING", "IMMEDIATE_DISCHARGING", "ONLY_OWN_CURRENT",
                              "PREFERRED_CHARGING_TIMES", "TIMER_CHARGING_WITH_CLIMATISATION", "TIMER", "MANUAL",
                              "OTHER", "OFF"]
    static let chargeModeAliases: [(String, String)] = [
        ("homeStorageCharging", "HOME_STORAGE_CHARGING"), ("immediateDischarging", "IMMEDIATE_DISCHARGING"),
        ("onlyOwnCurrent", "ONLY_OWN_CURRENT"), ("preferredChargingTimes", "PREFERRED_CHARGING_TIMES"),
        ("timerChargingWithClimatisation", "TIMER_CHARGING_WITH_CLIMATISATION"),
    ]
    static let climatisationStates = ["COOLING", "HEATING", "HEATING_AUXILIARY", "OFF", "ON", "VENTILATION", "INVALID"]

    static func chargingState(_ raw: String) -> String? { name(raw, chargingStates, chargingStateAliases) }
    static func chargeMode(_ raw: String) -> String? { name(raw, chargeModes, chargeModeAliases) }
    static func climatisationState(_ raw: String) -> String? { name(raw, climatisationStates, []) }

    private static func name(_ raw: String, _ names: [String], _ aliases: [(String, String)]) -> String? {
        let word = lowercased(raw)
        for (alias, name) in aliases where lowercased(alias) == word { return name }
        return names.first { lowercased($0) == word }
    }

    // ASCII only: the words are ASCII, and Unicode case tables cost firmware size.
    private static func lowercased(_ text: String) -> [UInt8] {
        text.utf8.map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }
    }
}
