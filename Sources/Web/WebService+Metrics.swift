import ServiceKit

/// The dashboard's own numbers for `/metrics`.
extension WebService {
    /// Requests, clients and refusals, declared with their kind.
    public var metrics: [Metric] {
        var list: [Metric] = [
            Metric("route_requests", .counter, help: "Requests answered, per route.", samples: [
                MetricSample(stats.page, labels: [MetricLabel("route", "page")]),
                MetricSample(stats.state, labels: [MetricLabel("route", "state")]),
                MetricSample(stats.events, labels: [MetricLabel("route", "events")]),
                MetricSample(stats.metrics, labels: [MetricLabel("route", "metrics")]),
                MetricSample(stats.notFound, labels: [MetricLabel("route", "not_found")]),
            ]),
            Metric("actions", .counter, help: "Actions posted from the page, by outcome.", samples: [
                MetricSample(stats.actions, labels: [MetricLabel("outcome", "run")]),
                MetricSample(stats.actionsFailed, labels: [MetricLabel("outcome", "failed")]),
                MetricSample(stats.actionsRefused, labels: [MetricLabel("outcome", "refused")]),
            ]),
            Metric("uploads", .counter, help: "Firmware uploads, by outcome (taken whole, or refused from their headers).",
                   samples: [
                MetricSample(stats.uploads, labels: [MetricLabel("outcome", "taken")]),
                MetricSample(stats.uploadsRefused, labels: [MetricLabel("outcome", "refused")]),
            ]),
            .counter("upload_bytes", "Bytes of firmware uploads received.", stats.uploadBytes),
            .counter("unauthorized", "Requests answered 401 (no or wrong credentials).", stats.unauthorized),
            .counter("auth_failures", "Wrong credentials checked.", stats.authFailures),
            .counter("auth_throttled", "Requests answered 429 during a client's login backoff.", stats.authThrottled),
        ]
        if let daemon {
            list.append(.gauge("clients", "Connections open now.", daemon.openConnections))
            list.append(.gauge("streams", "Event streams open now.", daemon.streams.count))
            list.append(.counter("requests", "HTTP requests received.", daemon.stats.requests))
            list.append(.counter("refused_clients", "Connections refused at web.max_clients.", daemon.stats.refusedClients))
            list.append(.counter("rejected_requests", "Requests refused as malformed or too large.", daemon.stats.rejectedRequests))
            list.append(.counter("events_sent", "State events written to streams.", daemon.eventsSent))
            list.append(.counter("events_superseded", "Events replaced by a newer one before a slow client took them.",
                                 daemon.eventsSuperseded))
            list.append(.counter("header_timeouts", "Connections closed at the header deadline.", daemon.stats.headerTimeouts))
        }
        return list
    }
}
