/// What the status LED shows. One glance tells a user where the gateway stands.
public enum LEDPattern: Equatable, CaseIterable {
    /// Fast blink: starting up.
    case booting
    /// Slow blink: running, but the broker is not reachable.
    case noBroker
    /// Solid: connected to the broker.
    case connected
    /// Double blink: a firmware update is in progress.
    case ota
    /// SOS: something is broken and needs a person.
    case fault
    /// Triple blink: a cloud login waits for the user (e.g. `bmw login`'s code to enter).
    case authorisationNeeded
    case off

    public var name: String {
        switch self {
        case .booting: return "booting"
        case .noBroker: return "no-broker"
        case .connected: return "connected"
        case .ota: return "ota"
        case .fault: return "fault"
        case .authorisationNeeded: return "authorisation-needed"
        case .off: return "off"
        }
    }

    /// One cycle of the pattern as (LED on?, milliseconds) steps; a single step is steady.
    public var steps: [(on: Bool, milliseconds: Int64)] {
        switch self {
        case .booting: return [(true, 100), (false, 100)]
        case .noBroker: return [(true, 1000), (false, 1000)]
        case .connected: return [(true, 1000)]
        case .ota: return [(true, 100), (false, 150), (true, 100), (false, 650)]
        case .fault:
            // ... --- ...  with Morse timing: dot 1 unit, dash 3, gaps 1 / 3 / 7 units of 150 ms.
            let dot: [(on: Bool, milliseconds: Int64)] = [(true, 150), (false, 150)]
            let dash: [(on: Bool, milliseconds: Int64)] = [(true, 450), (false, 150)]
            var cycle: [(on: Bool, milliseconds: Int64)] = []
            for _ in 0..<3 { cycle += dot }
            cycle[cycle.count - 1].milliseconds = 450
            for _ in 0..<3 { cycle += dash }
            cycle[cycle.count - 1].milliseconds = 450
            for _ in 0..<3 { cycle += dot }
            cycle[cycle.count - 1].milliseconds = 1050
            return cycle
        case .authorisationNeeded:
            return [(true, 100), (false, 150), (true, 100), (false, 150), (true, 100), (false, 1400)]
        case .off: return [(false, 1000)]
        }
    }
}
