import ServiceKit

/// Each device's counters and latest power and temperatures for `/metrics`, labelled by port.
extension BenchlabService {
    /// Per device (label `port`): polls, drops by cause, and the last frame's watts and degrees.
    public var metrics: [Metric] {
        guard !devices.isEmpty else { return [] }
        func counter(_ name: String, _ help: String, _ value: (BenchlabStats) -> Int) -> Metric {
            Metric(name, .counter, help: help, samples: devices.map {
                MetricSample(value($0.stats), labels: [MetricLabel("port", $0.path)])
            })
        }
        var list: [Metric] = [
            Metric("device_ready", .gauge, help: "1 while the device is identified and polled.", samples: devices.map {
                MetricSample($0.state == .polling ? 1 : 0, labels: [MetricLabel("port", $0.path)])
            }),
            counter("polls", "READ_SENSORS requests sent.") { $0.polls },
            counter("published", "Telemetry messages handed to the uplink.") { $0.published },
            counter("publish_dropped", "Telemetry the uplink refused.") { $0.publishDropped },
            counter("timeouts", "Requests that got no reply in time.") { $0.timeouts },
            counter("short_replies", "Replies that stopped short.") { $0.shortReplies },
            counter("malformed_frames", "Frames dropped as garbage.") { $0.malformedFrames },
            counter("stale_bytes", "Bytes nobody asked for, discarded.") { $0.staleBytes },
            counter("disconnects", "Times the device went away while open.") { $0.disconnects },
        ]
        var power: [MetricSample] = [], temperature: [MetricSample] = [], fans: [MetricSample] = []
        for device in devices {
            guard let frame = device.lastFrame else { continue }
            let port = MetricLabel("port", device.path)
            for sum in BenchlabPowerSum.allCases {
                power.append(MetricSample(sum.watts(frame), labels: [port, MetricLabel("rail", sum.name)]))
            }
            if let chip = frame.chipCelsius { temperature.append(MetricSample(chip, labels: [port, MetricLabel("sensor", "chip")])) }
            if let ambient = frame.ambientCelsius {
                temperature.append(MetricSample(ambient, labels: [port, MetricLabel("sensor", "ambient")]))
            }
            for (index, fan) in frame.fans.enumerated() where fan.enabled != 0 {
                fans.append(MetricSample(Int(fan.rpm), labels: [port, MetricLabel("fan", String(index + 1))]))
            }
        }
        if !power.isEmpty { list.append(Metric("power_watts", .gauge, help: "Power drawn, summed per group of rails, in watts.", samples: power)) }
        if !temperature.isEmpty {
            list.append(Metric("temperature_celsius", .gauge, help: "The device's temperatures, in degrees Celsius.", samples: temperature))
        }
        if !fans.isEmpty { list.append(Metric("fan_rpm", .gauge, help: "Speed of each enabled fan, in RPM.", samples: fans)) }
        return list
    }
}
