import JSON

/// The recent history of every reading a service marks `trend`, for the dashboard's
/// sparklines: one ring of `capacity` samples per series, at most `maxSeries` series.
///
/// Memory is bounded: 64 series × 120 samples × 4 bytes (Float) = 30 KB of samples, plus
/// one key string per series. At one sample each 10 s a ring spans 20 minutes. A series
/// beyond the limit is not kept (counted in `refusedSeries`); a series whose reading is gone
/// keeps its ring until the gateway restarts (there are few, and they come back).
struct ReadingTrends {
    static let capacity = 120
    static let maxSeries = 64

    private var keys: [String] = []
    private var rings: [[Float]] = []
    private var next: [Int] = []
    private(set) var refusedSeries = 0

    /// Appends the current value of every trend reading in `services` (the `state` block).
    mutating func sample(_ services: JSONValue) {
        for (service, entry) in services.objectValue ?? JSONObject() {
            for group in entry["readings"]?.arrayValue ?? [] {
                guard let id = group["id"]?.stringValue else { continue }
                for reading in group["values"]?.arrayValue ?? [] {
                    guard reading["trend"]?.boolValue == true, let key = reading["key"]?.stringValue,
                          let value = reading["value"]?.doubleValue else { continue }
                    append(service + "/" + id + "/" + key, Float(value))
                }
            }
        }
    }

    mutating func append(_ key: String, _ value: Float) {
        var index = keys.firstIndex(of: key)
        if index == nil {
            guard keys.count < ReadingTrends.maxSeries else {
                refusedSeries += 1
                return
            }
            keys.append(key)
            rings.append([])
            next.append(0)
            rings[rings.count - 1].reserveCapacity(ReadingTrends.capacity)
            index = keys.count - 1
        }
        let i = index!
        if rings[i].count < ReadingTrends.capacity {
            rings[i].append(value)
        } else {
            rings[i][next[i]] = value
            next[i] = (next[i] + 1) % ReadingTrends.capacity
        }
    }

    /// The samples of `key`, oldest first.
    func series(_ key: String) -> [Float] {
        guard let i = keys.firstIndex(of: key) else { return [] }
        return Array(rings[i][next[i]...] + rings[i][..<next[i]])
    }

    /// `{"interval_s":10,"series":{"can/can0/rx_rate":[...], ...}}`.
    func json(intervalSeconds: Int) -> JSONValue {
        var series = JSONObject(minimumCapacity: keys.count)
        for key in keys { series.append(key, .array(self.series(key).map { .number(Double($0)) })) }
        var object = JSONObject(minimumCapacity: 2)
        object.append("interval_s", .int(intervalSeconds))
        object.append("series", .object(series))
        return .object(object)
    }
}
