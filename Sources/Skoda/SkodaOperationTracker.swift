import JSON
import Runtime

/// Requests the app made, from their first message (usually IN_PROGRESS) to their final
/// status. Bounded: at most `capacity` open at once (the oldest is dropped and counted), and
/// one open longer than `maximumAge` is dropped as expired (Skoda never finished it).
final class SkodaOperationTracker {
    struct Open {
        let requestID: String
        let vin: String
        let operation: String
        let started: Instant
        var status: String
    }

    /// What a finished or updated request amounts to, for its topic.
    struct Report {
        let vin: String
        let operation: String
        let status: String
        let errorCode: String?
        let requestID: String
        /// From the first message seen to this one; nil when the first was never seen.
        let duration: Interval?
        let isFinal: Bool

        var json: JSONValue {
            var object = JSONObject(minimumCapacity: 6)
            object.append("status", .string(status))
            object.append("error", errorCode.map { .string($0) } ?? .null)
            object.append("duration_ms", duration.map { .int($0.milliseconds) } ?? .null)
            object.append("request_id", .string(requestID))
            object.append("final", .bool(isFinal))
            return .object(object)
        }
    }

    let capacity: Int
    let maximumAge: Interval
    private(set) var open: [Open] = []
    private(set) var completed = 0
    private(set) var failed = 0
    private(set) var evicted = 0

    init(capacity: Int = 64, maximumAge: Interval = .seconds(15 * 60)) {
        self.capacity = capacity
        self.maximumAge = maximumAge
    }

    /// Records `update` for car `vin` at `now`.
    func record(_ update: SkodaOperationUpdate, vin: String, now: Instant) -> Report {
        let index = open.firstIndex { $0.requestID == update.requestID }
        var duration: Interval? = nil
        if let index {
            duration = now - open[index].started
            if update.isFinal {
                open.remove(at: index)
            } else {
                open[index].status = update.status
            }
        } else if !update.isFinal {
            if open.count >= capacity {
                open.removeFirst()
                evicted += 1
            }
            open.append(Open(requestID: update.requestID, vin: vin, operation: update.operation, started: now,
                             status: update.status))
            duration = .zero
        }
        if update.isFinal {
            if update.status == "ERROR" { failed += 1 } else { completed += 1 }
        }
        return Report(vin: vin, operation: update.operation, status: update.status, errorCode: update.errorCode,
                      requestID: update.requestID, duration: duration, isFinal: update.isFinal)
    }

    /// Drops requests open longer than `maximumAge`; returns how many.
    @discardableResult
    func expire(now: Instant) -> Int {
        let before = open.count
        open.removeAll { now - $0.started > maximumAge }
        evicted += before - open.count
        return before - open.count
    }
}
