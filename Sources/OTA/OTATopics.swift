/// The OTA topics under `switchyard/<node>/ota/`.
public struct OTATopics: Equatable {
    public let base: String

    /// Topics under `prefix` (`switchyard/<node>`).
    public init(prefix: String) { base = prefix + "/ota" }

    /// Topics under `base` itself: a fleet image's chunks (`FleetTopics.image`).
    public init(base: String) { self.base = base }

    /// The signed manifest (sender -> gateway).
    public var manifest: String { base + "/manifest" }
    /// Chunk `n` is on `chunk/<n>` (sender -> gateway), QoS 1.
    public var chunkFilter: String { base + "/chunk/+" }
    public func chunk(_ index: Int) -> String { base + "/chunk/" + String(index) }
    /// Missing chunks after a reconnect or restart (gateway -> sender).
    public var need: String { base + "/need" }
    /// Progress, state and the reason of a refusal; retained (gateway -> anyone).
    public var status: String { base + "/status" }

    /// The chunk index in `topic`, or nil when it is not a chunk topic with a decimal index.
    public func chunkIndex(_ topic: String) -> Int? {
        let prefix = base + "/chunk/"
        guard topic.hasPrefix(prefix) else { return nil }
        let digits = topic.utf8.dropFirst(prefix.utf8.count)
        guard !digits.isEmpty, digits.count <= 9 else { return nil }
        var value = 0
        for byte in digits {
            guard byte >= 0x30 && byte <= 0x39 else { return nil }
            value = value * 10 + Int(byte - 0x30)
        }
        return value
    }
}
