import ServiceKit

/// What the BLE service counts, for `/metrics`.
extension BLEService {
    public var metrics: [Metric] {
        let refused = [("no_key", stats.bthomeNoKey), ("auth_failure", stats.bthomeAuthFailures),
                       ("replay", stats.bthomeReplays), ("malformed", stats.bthomeMalformed)]
        return [
            .gauge("devices", "Devices in the registry (heard recently).", registry.count),
            .gauge("approved_devices", "Devices approved (ble.approved).", settings.approved.count),
            .counter("registry_evictions", "Devices evicted from the full registry (the one heard longest ago).", registry.evictions),
            .counter("adverts_decoded", "Adverts a decoder understood.", stats.decoded),
            .counter("adverts_malformed", "Reports dropped because their advertising data was malformed.", stats.malformedAdverts),
            .counter("adverts_filtered", "Reports ignored by the allow/deny lists or the RSSI floor.", stats.filtered),
            Metric("bthome_refused", .counter, help: "BTHome adverts refused, by reason.",
                   samples: refused.map { MetricSample($0.1, labels: [MetricLabel("reason", $0.0)]) }),
            .counter("published", "Device readings published.", stats.published),
            .counter("rate_limited", "Readings skipped by the per-device rate limit.", stats.rateLimited),
            .counter("publish_dropped", "Publishes dropped by the uplink.", stats.publishDropped),
            .counter("transport_opens", "Times the HCI transport was opened.", stats.transportOpens),
            .counter("transport_failures", "Times opening the HCI transport failed.", stats.transportFailures),
        ]
    }
}
