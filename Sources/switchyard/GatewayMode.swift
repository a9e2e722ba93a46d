import ServiceKit

/// How much of the gateway runs. Safe mode is what the supervisor starts after the gateway
/// crashed several times in a row: the console, the uplink (with the last settings that
/// connected) and OTA, nothing else, until a person saves fixed settings or `timeout` passes,
/// so a crash in any other service cannot take the way to fix it down with it.
enum GatewayMode: Equatable {
    case normal
    case safe

    /// The `run` option the supervisor passes.
    static let safeOption = SupervisorLink.safeModeOption
    /// How long safe mode lasts before the gateway tries a normal start again.
    static let safeTimeoutSeconds = 600

    /// The services this mode runs, from the catalogue.
    func services(from catalogue: [ServiceDescriptor]) -> [ServiceDescriptor] {
        switch self {
        case .normal: return catalogue
        case .safe: return catalogue.filter { $0.name == "ota" }
        }
    }
}
