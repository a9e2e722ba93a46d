import Runtime
import ServiceKit

/// The tunnel's counters for `/metrics`, each declared with its kind.
extension CANService {
    /// Frames each way, drops by cause, malformed inputs by kind, and the bus and ring now.
    public var metrics: [Metric] {
        guard let tunnel else { return [] }
        let stats = tunnel.stats
        var malformed: [MetricSample] = []
        for kind in CANMalformationKind.allCases {
            malformed.append(MetricSample(stats.malformed(kind), labels: [MetricLabel("kind", kind.name)]))
        }
        return [
            .gauge("bus_open", "1 while the bus is open.", tunnel.state == .open ? 1 : 0),
            .counter("frames_from_bus", "Frames read from the local bus.", stats.framesFromBus),
            .counter("frames_published", "Frames from the bus published to MQTT.", stats.published),
            .counter("frames_filtered", "Frames from the bus rejected by the accept filters.", stats.filtered),
            .counter("frames_unchanged", "Frames from the bus not published because nothing changed.", stats.unchanged),
            .counter("publish_failed", "Frames from the bus that could not be published.", stats.publishFailed),
            .counter("messages_from_mqtt", "Messages received on the subscribed topics.", stats.messagesFromMQTT),
            .counter("frames_to_bus", "Frames written to the local bus.", stats.framesToBus),
            .counter("transmit_dropped", "Frames not written: queue full, bus closed or listen-only.", stats.transmitDropped),
            Metric("malformed", .counter, help: "Inputs dropped as malformed, per kind.", samples: malformed),
            .counter("bus_errors", "Error frames or error states the bus reported.", stats.busErrors),
            .counter("adapter_errors", "Commands or frames the SLCAN adapter refused.", stats.adapterErrors),
            .counter("reopens", "Times the bus was opened again after it closed or failed.", stats.reopens),
            .gauge("ring_depth", "Frames waiting between the reader thread and the loop.", tunnel.ring.depth),
            .gauge("ring_capacity", "Frames the reader ring holds.", tunnel.ring.capacity),
            .counter("ring_dropped", "Frames dropped because the reader ring was full.", tunnel.ring.dropped),
        ]
    }
}
