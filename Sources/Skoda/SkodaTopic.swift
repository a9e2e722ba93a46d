/// A MySkoda push topic, `{user_id}/{vin}/<event type>/<rest>`: `operation-request`,
/// `service-event`, `vehicle-event` or `account-event`, then what it is about.
public struct SkodaTopic: Equatable {
    public let user: String
    public let vin: String
    /// The third level: operation-request, service-event, vehicle-event, account-event.
    public let kind: String
    /// The levels after the kind, e.g. ["vehicle-access", "honk-and-flash"].
    public let rest: [String]

    /// nil for a topic with fewer than three levels or an empty one.
    public init?(_ topic: String) {
        let levels = topic.split(separator: "/", omittingEmptySubsequences: false).map { String($0) }
        guard levels.count >= 3, !levels[0].isEmpty, !levels[1].isEmpty, !levels[2].isEmpty else { return nil }
        user = levels[0]
        vin = levels[1]
        kind = levels[2]
        rest = Array(levels.dropFirst(3))
    }

    /// "vehicle-access/honk-and-flash": the operation group a request belongs to.
    public var restPath: String { rest.joined(separator: "/") }
}
