import JSON
import ServiceKit

/// `GET /metrics` in the Prometheus text format (version 0.0.4): every family with its
/// `# HELP` and `# TYPE`, counters with the `_total` suffix.
///
/// Nothing is guessed from JSON: services declare their metrics (`Service.metrics`, with kind
/// and help) and they print as `switchyard_<service>_<name>`; the gateway's own numbers
/// (uptime, uplink, tasks, each service's health) are declared here, read from the members
/// of `state` the gateway documents.
enum PrometheusText {
    static func render(state: JSONValue, services: [ServiceMetrics]) -> String {
        var out = PrometheusWriter()
        gateway(state, into: &out)
        for entry in services {
            let prefix = "switchyard_" + PrometheusWriter.sanitize(entry.service) + "_"
            for metric in entry.metrics {
                out.family(prefix + metric.name, metric.kind, help: metric.help, samples: metric.samples)
            }
        }
        return out.text
    }

    /// The gateway's own families, from the members of `state` it always has.
    private static func gateway(_ state: JSONValue, into out: inout PrometheusWriter) {
        var info: [MetricLabel] = []
        for key in ["node", "version", "arch", "board", "slot", "led"] {
            if let text = state[key]?.stringValue { info.append(MetricLabel(key, text)) }
        }
        out.family("switchyard_info", .gauge, help: "The gateway's node, version and board as labels; always 1.",
                   samples: [MetricSample(1, labels: info)])
        if let uptime = state["uptime_s"]?.doubleValue {
            out.family("switchyard_uptime_seconds", .gauge, help: "Seconds since the gateway started.",
                       samples: [MetricSample(uptime)])
        }
        if let refused = state["commands_refused"]?.doubleValue {
            out.family("switchyard_commands_refused", .counter,
                       help: "Commands and key changes refused to the MQTT door.", samples: [MetricSample(refused)])
        }
        if let uplink = state["uplink"], uplink.objectValue != nil {
            out.family("switchyard_uplink_connected", .gauge, help: "1 while the MQTT uplink is connected.",
                       samples: [MetricSample(uplink["state"]?.stringValue == "connected" ? 1 : 0)])
            for field in uplinkFields {
                if let value = uplink[field.member]?.doubleValue {
                    out.family("switchyard_uplink_" + field.member, field.kind, help: field.help, samples: [MetricSample(value)])
                }
            }
        }
        if let tasks = state["tasks"]?.arrayValue {
            var runs: [MetricSample] = [], overruns: [MetricSample] = [], longest: [MetricSample] = []
            for task in tasks {
                guard let name = task["name"]?.stringValue else { continue }
                let label = [MetricLabel("task", name)]
                if let value = task["runs"]?.doubleValue { runs.append(MetricSample(value, labels: label)) }
                if let value = task["overruns"]?.doubleValue { overruns.append(MetricSample(value, labels: label)) }
                if let value = task["max_ms"]?.doubleValue { longest.append(MetricSample(value / 1000, labels: label)) }
            }
            out.family("switchyard_task_runs", .counter, help: "Runs of each run-loop task.", samples: runs)
            out.family("switchyard_task_overruns", .counter, help: "Runs that took longer than the task's period.",
                       samples: overruns)
            out.family("switchyard_task_max_seconds", .gauge, help: "The longest run of each task, in seconds.",
                       samples: longest)
        }
        var up: [MetricSample] = [], health: [MetricSample] = []
        for (service, entry) in state["services"]?.objectValue ?? JSONObject() {
            let name = entry["health"]?.stringValue ?? "unknown"
            up.append(MetricSample(name == "ok" ? 1 : 0, labels: [MetricLabel("service", service)]))
            health.append(MetricSample(1, labels: [MetricLabel("service", service), MetricLabel("health", name)]))
        }
        out.family("switchyard_service_up", .gauge, help: "1 while the service's health is ok.", samples: up)
        out.family("switchyard_service_health", .gauge, help: "The service's health as a label; always 1.",
                   samples: health)
    }

    /// The uplink block's numbers (see the gateway's `uplinkSnapshot`).
    private static let uplinkFields: [(member: String, kind: MetricKind, help: String)] = [
        ("connects", .counter, "Connections to the broker made."),
        ("disconnects", .counter, "Connections to the broker lost or closed."),
        ("connect_failures", .counter, "Connection attempts that failed."),
        ("published", .counter, "Messages handed to the broker."),
        ("acknowledged", .counter, "QoS 1 messages the broker acknowledged."),
        ("received", .counter, "Messages received from the broker."),
        ("outbox_dropped", .counter, "Messages dropped from the full outbox (oldest first)."),
        ("dropped_qos0", .counter, "QoS 0 messages dropped while disconnected."),
        ("refused_subscriptions", .counter, "Subscriptions the broker refused."),
        ("inflight", .gauge, "QoS 1 messages waiting for their acknowledgement."),
        ("outbox", .gauge, "Messages waiting in the outbox."),
        ("outbox_bytes", .gauge, "Bytes waiting in the outbox."),
    ]
}
