import JSON

/// IoT samples of approved devices whose backend id has not come yet (registration still
/// running, or failing while the backend is down), held until it does and then handed to the
/// submitter under that id. A cuff sends each stored reading once per connection and the
/// gateway accepts each once, so a reading not held here would never reach the backend.
/// Bounded: when full the oldest held sample goes, counted in `dropped`.
struct IoTAwaitingID {
    let capacity: Int
    private var held: [(address: BLEAddress, sample: IoTSample)] = []
    /// Samples dropped because the hold was full.
    private(set) var dropped = 0

    init(capacity: Int) {
        precondition(capacity > 0, "IoTAwaitingID: capacity must be positive")
        self.capacity = capacity
    }

    var count: Int { held.count }

    mutating func hold(_ sample: IoTSample, for address: BLEAddress) {
        if held.count == capacity {
            held.removeFirst()
            dropped += 1
        }
        held.append((address, sample))
    }

    /// What is held for `address`, now under `id`, in the order it came; no longer held.
    mutating func release(_ address: BLEAddress, id: String) -> [IoTSample] {
        var released: [IoTSample] = []
        held.removeAll { entry in
            guard entry.address == address else { return false }
            let sample = entry.sample
            released.append(IoTSample(iotDeviceID: id, dataType: sample.dataType, timestamp: sample.timestamp,
                                      fields: sample.fields))
            return true
        }
        return released
    }

    /// Drops what is held for `address` (its approval was withdrawn).
    mutating func forget(_ address: BLEAddress) {
        held.removeAll { $0.address == address }
    }

    var json: JSONValue {
        var object = JSONObject(minimumCapacity: 3)
        object.append("held", .int(held.count))
        object.append("capacity", .int(capacity))
        object.append("dropped", .int(dropped))
        return .object(object)
    }
}
