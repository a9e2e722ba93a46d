/// The gateway's own topics under `switchyard/<node>/`.
public struct StatusTopics: Equatable {
    public let base: String

    public init(node: String, prefix: String = "switchyard") {
        base = prefix + "/" + node
    }

    /// `online` / `offline`, retained; `offline` is also the last will.
    public var status: String { base + "/status" }
    /// The retained JSON heartbeat.
    public var state: String { base + "/state" }
    /// Commands arrive on `cmnd/<command>`.
    public var commandFilter: String { base + "/cmnd/+" }
    public var commandPrefix: String { base + "/cmnd/" }
    /// Command replies.
    public var result: String { base + "/result" }

    public static let online: [UInt8] = Array("online".utf8)
    public static let offline: [UInt8] = Array("offline".utf8)
}
