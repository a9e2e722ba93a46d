import JSON

/// What the OTA service counted: every dropped or refused input is here.
public struct OTAStats: Equatable {
    public var manifests = 0
    /// Manifests and images refused (each counted; logged and recorded at a limited rate).
    public var refused = 0
    public var chunks = 0
    public var duplicates = 0
    /// Chunks with a bad topic, index or length.
    public var chunksDropped = 0
    /// Chunks whose content does not match their signed SHA-256 (not written).
    public var chunksCorrupt = 0
    /// Chunks with no transfer to go to.
    public var chunksIgnored = 0
    public var needs = 0
    /// Group manifests not for this gateway, or copies of one already taken (issue 30).
    public var fleetIgnored = 0

    public var json: JSONValue {
        ["manifests": .int(manifests), "refused": .int(refused), "chunks": .int(chunks),
         "duplicates": .int(duplicates), "chunks_dropped": .int(chunksDropped),
         "chunks_corrupt": .int(chunksCorrupt),
         "chunks_ignored": .int(chunksIgnored), "needs": .int(needs),
         "fleet_ignored": .int(fleetIgnored)]
    }
}
