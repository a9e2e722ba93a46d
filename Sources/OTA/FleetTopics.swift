/// A fleet's topics under `switchyard/fleet/<group>/` (issue 30). Everything a campaign
/// shares lives here, retained, so the broker is the only thing the fleet has in common: a
/// gateway that connects later, or a `fleet rollout` resumed on another machine, finds it all.
public struct FleetTopics: Equatable {
    public let group: String
    public let base: String

    public init(group: String) {
        self.group = group
        base = "switchyard/fleet/" + group
    }

    /// The signed group manifest of the current wave, retained (rollout -> gateways).
    public var manifest: String { base + "/ota/manifest" }
    /// The campaign's progress, retained: what `fleet rollout` resumes from (rollout -> anyone).
    public var campaign: String { base + "/campaign" }

    /// Where the image with SHA-256 `digestHex` lies in retained chunks,
    /// `.../ota/image/<first 16 hex digits>/chunk/<n>`: a new image never mixes with the
    /// chunks of the one before, and every chunk is checked against its signed digest anyway.
    public func image(_ digestHex: String) -> OTATopics {
        OTATopics(base: base + "/ota/image/" + String(digestHex.prefix(16)))
    }

    /// Where the patch from image `base` to image `image` lies in retained chunks,
    /// `.../ota/delta/<base, 16 hex digits>-<image, 16 hex digits>/chunk/<n>`.
    public func delta(base: String, image: String) -> OTATopics {
        OTATopics(base: self.base + "/ota/delta/" + String(base.prefix(16)) + "-" + String(image.prefix(16)))
    }

    /// Every gateway's retained `state` heartbeat, `status` (online/offline, the last will)
    /// and `ota/status`: what the inventory is read from.
    public static let inventoryFilters = ["switchyard/+/state", "switchyard/+/status", "switchyard/+/ota/status"]
}
