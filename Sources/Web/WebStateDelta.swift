import JSON

/// What the live stream sends after its first event: only the parts of `state` that changed
/// since the last event, so an open page on a Pi Zero is not sent the whole state every
/// second. A part is a top-level member (`uptime_s`, `uplink`, `tasks`) or one block of a
/// service (`services/can/readings`, `services/can/state`, `services/can/health`).
///
/// Each event carries an id (`id:` in the stream) and the id it applies to (`base`); a page
/// that missed one (a slow reader's waiting event is replaced by the newer one) sees the
/// gap and reconnects for a whole snapshot. A whole snapshot also goes out every
/// `fullInterval`, so nothing can stay wrong for long.
struct WebStateDelta {
    /// The parts as last sent, serialized.
    private var sent: [String: String] = [:]
    /// The id of the last event.
    private(set) var sequence = 0

    /// The parts of `state`, each with its path.
    static func parts(_ state: JSONValue) -> [(path: String, value: JSONValue)] {
        guard let object = state.objectValue else { return [] }
        var parts: [(path: String, value: JSONValue)] = []
        for (key, value) in object {
            guard key == "services", let services = value.objectValue else {
                parts.append((key, value))
                continue
            }
            for (name, service) in services {
                guard let blocks = service.objectValue else {
                    parts.append(("services/" + name, service))
                    continue
                }
                for (block, content) in blocks { parts.append(("services/" + name + "/" + block, content)) }
            }
        }
        return parts
    }

    /// Remembers `state` as sent whole (the first event of a stream, a periodic snapshot).
    mutating func sentWhole(_ state: JSONValue) -> Int {
        sent = [:]
        for part in WebStateDelta.parts(state) { sent[part.path] = part.value.serialized() }
        sequence += 1
        return sequence
    }

    /// The id a new stream's first event carries: the state it gets is at least as new as
    /// the last event, so the next delta applies to it.
    var current: Int { sequence }

    /// `{"base":N,"set":{path:value},"gone":[path]}` for what changed since the last event,
    /// with its id; nil when nothing did.
    mutating func next(_ state: JSONValue) -> (id: Int, json: String)? {
        // Built as text from the parts' own serialization: each changed part is printed once.
        var set = ""
        var seen: Set<String> = []
        var fresh: [String: String] = [:]
        for part in WebStateDelta.parts(state) {
            let text = part.value.serialized()
            seen.insert(part.path)
            fresh[part.path] = text
            if sent[part.path] != text {
                set += (set.isEmpty ? "" : ",") + JSONValue.string(part.path).serialized() + ":" + text
            }
        }
        var gone = ""
        for path in sent.keys where !seen.contains(path) {
            gone += (gone.isEmpty ? "" : ",") + JSONValue.string(path).serialized()
        }
        guard !set.isEmpty || !gone.isEmpty else { return nil }
        sent = fresh
        let base = sequence
        sequence += 1
        return (sequence, "{\"base\":" + String(base) + ",\"set\":{" + set + "},\"gone\":[" + gone + "]}")
    }
}
