/// A service that declares no metrics has none in `/metrics` (only its health).
extension Service {
    public var metrics: [Metric] { [] }
}

extension ServiceHost {
    /// Every service's declared metrics, in catalogue order (the gateway's `/metrics`).
    public func metrics() -> [ServiceMetrics] {
        var all: [ServiceMetrics] = []
        for name in names {
            guard let service = service(named: name) else { continue }
            let metrics = service.metrics
            if !metrics.isEmpty { all.append(ServiceMetrics(service: name, metrics: metrics)) }
        }
        return all
    }
}

extension ServiceContext {
    /// Every service's declared metrics (what the dashboard's `/metrics` prints).
    public func gatewayMetrics() -> [ServiceMetrics] { gatewayMetricsProvider() }
}

/// A service that declares no readings shows only its details on the dashboard.
extension Service {
    public var readings: [ReadingGroup] { [] }
}
