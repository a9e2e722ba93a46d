import Runtime

/// The `info` and `telemetry` topic templates, with `{uid}` standing for a device's UID.
/// The default is the seed's `clients/client_uuid/links/link_uuid/benchlabs/{uid}/...`,
/// where `client_uuid` and `link_uuid` are literal text, as in the reference tool.
public struct BenchlabTopics: Equatable, Sendable {
    public static let uidPlaceholder = "{uid}"

    public let infoTemplate: String
    public let telemetryTemplate: String

    /// Checks both templates: a topic to publish on may not hold the `+` or `#` wildcards,
    /// and without `{uid}` every device would publish on the same topic.
    public init(info: String, telemetry: String) throws(BenchlabError) {
        for (name, template) in [("info", info), ("telemetry", telemetry)] {
            if let problem = MQTTTopicName.problem(template) {
                throw .invalidSetting("the Benchlab " + name + " topic: " + problem)
            }
            guard template.containsText(BenchlabTopics.uidPlaceholder) else {
                throw .invalidSetting("the Benchlab " + name + " topic \"" + template + "\" lacks {uid}")
            }
        }
        infoTemplate = info
        telemetryTemplate = telemetry
    }

    /// The seed's topics.
    public static let seed = try! BenchlabTopics(
        info: BenchlabConfigKeys.topicInfo.defaultValue, telemetry: BenchlabConfigKeys.topicTelemetry.defaultValue)

    /// The `info` topic of device `uid`.
    public func info(uid: String) -> String { BenchlabTopics.fill(infoTemplate, uid: uid) }
    /// The `telemetry` topic of device `uid`.
    public func telemetry(uid: String) -> String { BenchlabTopics.fill(telemetryTemplate, uid: uid) }

    /// `template` with every `{uid}` replaced.
    static func fill(_ template: String, uid: String) -> String {
        let bytes = Array(template.utf8)
        let placeholder = Array(uidPlaceholder.utf8)
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count + uid.utf8.count)
        var index = 0
        while index < bytes.count {
            if index + placeholder.count <= bytes.count && Array(bytes[index..<index + placeholder.count]) == placeholder {
                result.append(contentsOf: uid.utf8)
                index += placeholder.count
            } else {
                result.append(bytes[index])
                index += 1
            }
        }
        return String(decoding: result, as: UTF8.self)
    }
}
