import ServiceKit

/// The update path's counters for `/metrics`, each declared with its kind.
extension OTAService {
    /// What arrived, what was refused or dropped, and where an update stands now.
    public var metrics: [Metric] {
        [
            .counter("manifests", "Update manifests received (MQTT or an uploaded file).", stats.manifests),
            .counter("refused", "Manifests and images refused (signature, target, serial, expiry, version, digest).",
                     stats.refused),
            .counter("chunks", "Image chunks stored.", stats.chunks),
            .counter("chunk_duplicates", "Chunks received again after they were stored.", stats.duplicates),
            .counter("chunks_dropped", "Chunks dropped for a bad topic, index or length.", stats.chunksDropped),
            .counter("chunks_corrupt", "Chunks not matching their signed SHA-256 (not written).", stats.chunksCorrupt),
            .counter("chunks_ignored", "Chunks with no transfer to go to.", stats.chunksIgnored),
            .counter("need_requests", "Requests for missing chunks published.", stats.needs),
            .gauge("receiving", "1 while an update is being received.", receiver?.transfer != nil ? 1 : 0),
            .gauge("update_percent", "Percent of the update in progress received or checked.", status.percent),
            .gauge("on_trial", "1 while the running firmware is on trial.", isOnTrial ? 1 : 0),
        ]
    }
}
