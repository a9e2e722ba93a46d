import HTTPClient
import Store

extension HTTPClientSettings {
    /// The gateway's HTTP client settings from the `http.*` keys.
    public static func from(_ store: ConfigStore) -> HTTPClientSettings {
        HTTPClientSettings(caDirectory: store.string(StandardKeys.httpCADirectory),
                           caFile: store.string(StandardKeys.httpCAFile),
                           maxInFlight: store.integer(StandardKeys.httpMaxInFlight),
                           maxResponseBytes: store.integer(StandardKeys.httpMaxResponseBytes))
    }
}
