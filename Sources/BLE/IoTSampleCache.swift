/// Samples waiting for the IoT API, bounded. Drop policy: when full, the oldest sample is
/// dropped and counted (`dropped`), so a long outage keeps the newest data. Samples leave
/// only when a submission that carried them was answered 2xx (`acknowledge`); a failed
/// submission puts nothing back because nothing was taken out (`release`).
public struct IoTSampleCache {
    public let capacity: Int
    private var samples: [IoTSample] = []
    /// How many of the oldest samples are in the submission in flight.
    public private(set) var inFlight = 0
    /// Samples dropped because the cache was full.
    public private(set) var dropped = 0
    /// Samples acknowledged by the API.
    public private(set) var submitted = 0
    /// Samples dropped by the cache clear (their device is no longer approved).
    public private(set) var cleared = 0
    /// Samples dropped because the backend's last data submission already covers them.
    public private(set) var skipped = 0

    public init(capacity: Int) {
        precondition(capacity > 0, "IoTSampleCache: capacity must be positive")
        self.capacity = capacity
    }

    public var count: Int { samples.count }
    public var isEmpty: Bool { samples.isEmpty }

    /// Adds `sample`, dropping the oldest one not in flight when full.
    public mutating func append(_ sample: IoTSample) {
        if samples.count >= capacity {
            if inFlight < samples.count {
                samples.remove(at: inFlight)
            } else {
                // Everything is in flight: the new sample is the one that cannot be kept.
                dropped += 1
                return
            }
            dropped += 1
        }
        samples.append(sample)
    }

    /// Takes up to `limit` of the oldest samples for a submission; empty while one is in flight.
    public mutating func takeBatch(limit: Int) -> [IoTSample] {
        guard inFlight == 0 else { return [] }
        inFlight = min(limit, samples.count)
        return Array(samples.prefix(inFlight))
    }

    /// The submission in flight was accepted: its samples leave the cache.
    public mutating func acknowledge() {
        samples.removeFirst(inFlight)
        submitted += inFlight
        inFlight = 0
    }

    /// The submission in flight failed: its samples stay, first in line for the retry.
    public mutating func release() { inFlight = 0 }

    /// Drops the samples (not in flight) `isDelivered` says the backend already has; returns
    /// how many (counted in `skipped`).
    @discardableResult
    public mutating func discard(_ isDelivered: (IoTSample) -> Bool) -> Int {
        var kept: [IoTSample] = Array(samples.prefix(inFlight))
        var count = 0
        for sample in samples.dropFirst(inFlight) {
            if isDelivered(sample) { count += 1 } else { kept.append(sample) }
        }
        samples = kept
        skipped += count
        return count
    }

    /// The device ids of the waiting samples, oldest first, each once.
    public var deviceIDs: [String] {
        var ids: [String] = []
        for sample in samples where !ids.contains(sample.iotDeviceID) { ids.append(sample.iotDeviceID) }
        return ids
    }

    /// The cache clear: drops samples (not in flight) of devices `keep` refuses.
    public mutating func clear(keeping keep: (String) -> Bool) {
        var kept: [IoTSample] = Array(samples.prefix(inFlight))
        for sample in samples.dropFirst(inFlight) {
            if keep(sample.iotDeviceID) { kept.append(sample) } else { cleared += 1 }
        }
        samples = kept
    }
}
