/// The OTA files on the data partition, all under `<data>/ota/`:
/// `slot-a`, `slot-b` (the binaries), `state.json` (the state record), `manifest.json` (the
/// signed manifest of the transfer in progress, written once), `transfer.json` (its slot and
/// received-chunk bitmap, rewritten as chunks land) and `lock` (serialises the record's
/// writers: the supervisor and the gateway's receiver).
public struct OTAPaths: Equatable {
    public let directory: String

    /// The paths under data directory `data`.
    public init(dataDirectory data: String) {
        directory = data + "/ota"
    }

    /// The binary of `slot`, or nil for the factory binary (its path is the supervisor's to know).
    public func binary(_ slot: OTASlot) -> String? {
        switch slot {
        case .a: return directory + "/slot-a"
        case .b: return directory + "/slot-b"
        case .factory: return nil
        }
    }

    public var state: String { directory + "/state.json" }
    public var transfer: String { directory + "/transfer.json" }
    public var manifest: String { directory + "/manifest.json" }
    public var lock: String { directory + "/lock" }
}
