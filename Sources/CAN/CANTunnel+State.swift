import JSON
import Runtime

extension CANTunnel {
    /// The tunnel's block of the `state` heartbeat: settings, bus state and counters.
    public func stateJSON() -> JSONValue {
        var object = JSONObject()
        object["mode"] = .string(settings.topics.mode.name)
        object["topic"] = .string(settings.topics.base)
        object["bus"] = .string(bus.name)
        object["bus_state"] = .string(state.name)
        if case .failed(let reason) = state { object["bus_error"] = .string(reason) }
        if let problem = bus.problem { object["bus_problem"] = .string(problem) }
        object["bus_detail"] = bus.stateJSON()
        object["filters"] = .string(settings.filter.description)
        object["only_changes"] = .bool(settings.onlyChanges)
        object["listen_only"] = .bool(settings.listenOnly)
        if case .object(let counters) = stats.json(ringCapacity: ring.capacity, ringDepth: ring.depth,
                                                    ringDropped: ring.dropped) {
            for (key, value) in counters { object[key] = value }
        }
        return .object(object)
    }
}
