import JSON

/// The service's counters above the scanner: what happened to the reports it got.
public struct BLEStats: Equatable {
    /// Reports whose advertising data was malformed (dropped).
    public var malformedAdverts = 0
    /// Reports ignored by the allow/deny lists or the RSSI floor.
    public var filtered = 0
    /// Adverts a decoder understood.
    public var decoded = 0
    /// BTHome adverts refused, by reason.
    public var bthomeNoKey = 0
    public var bthomeAuthFailures = 0
    public var bthomeReplays = 0
    public var bthomeMalformed = 0
    /// Decoded adverts with bytes left undecoded (an unknown BTHome id, a cut-off object).
    public var undecodedObjects = 0
    /// BTHome adverts dropped as a repeat of the last packet id (0x00) of the device.
    public var duplicatePackets = 0
    /// Device readings published, and skipped by the per-device rate limit.
    public var published = 0
    public var rateLimited = 0
    /// Publishes the port dropped (no connection, QoS 0).
    public var publishDropped = 0
    /// Presence changes published.
    public var presenceChanges = 0
    /// Home Assistant discovery configs published.
    public var discoveryConfigs = 0
    /// Times the transport was (re)opened, and open failures.
    public var transportOpens = 0
    public var transportFailures = 0
    /// Passive service data (0x2A37, 0x2A6D, 0x2A6E, 0x180F, 0x2A46) that held no value.
    public var passiveDropped = 0
    /// Blood-pressure measurements received, and those dropped as already delivered.
    public var bloodPressure = 0
    public var bloodPressureRepeats = 0

    public var json: JSONValue {
        var object = JSONObject(minimumCapacity: 20)
        object.append("malformed_adverts", .int(malformedAdverts))
        object.append("filtered", .int(filtered))
        object.append("decoded", .int(decoded))
        object.append("bthome_no_key", .int(bthomeNoKey))
        object.append("bthome_auth_failures", .int(bthomeAuthFailures))
        object.append("bthome_replays", .int(bthomeReplays))
        object.append("bthome_malformed", .int(bthomeMalformed))
        object.append("undecoded_objects", .int(undecodedObjects))
        object.append("duplicate_packets", .int(duplicatePackets))
        object.append("published", .int(published))
        object.append("rate_limited", .int(rateLimited))
        object.append("publish_dropped", .int(publishDropped))
        object.append("presence_changes", .int(presenceChanges))
        object.append("discovery_configs", .int(discoveryConfigs))
        object.append("transport_opens", .int(transportOpens))
        object.append("transport_failures", .int(transportFailures))
        object.append("passive_dropped", .int(passiveDropped))
        object.append("blood_pressure", .int(bloodPressure))
        object.append("blood_pressure_repeats", .int(bloodPressureRepeats))
        return .object(object)
    }
}
