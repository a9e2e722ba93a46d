import HTTPClient
import JSON

/// The backend's endpoints under its application URL (`iot.url`, the original's `{app}`) and
/// how a request to it is authenticated: the bearer token or the device identity's client
/// certificate, and nothing else (the original sends no other header).
public struct IoTBackend {
    public let settings: IoTSettings
    /// `{app}` without a trailing slash. A URL given with the submit path (the older
    /// `iot.url` form) is cut back to its application part.
    public let base: String

    static let submitPath = "/api/iot-devices/data/submit"

    public init(settings: IoTSettings) {
        self.settings = settings
        var url = settings.url
        if url.hasSuffix(IoTBackend.submitPath) { url = String(url.dropLast(IoTBackend.submitPath.count)) }
        while url.hasSuffix("/") { url = String(url.dropLast()) }
        base = url
    }

    public var submitURL: String { base + IoTBackend.submitPath }
    public var existsURL: String { base + "/api/iot-devices/exists" }
    public var createURL: String { base + "/api/iot-devices" }

    /// `GET {app}/api/iot-devices/{id}/last-data-submission`.
    public func lastSubmissionURL(_ iotDeviceID: String) -> String {
        base + "/api/iot-devices/" + iotDeviceID + "/last-data-submission"
    }

    /// A request with the configured authentication and timeout; `json` makes it a POST.
    public func request(_ url: String, json: JSONValue? = nil) -> HTTPRequest {
        var request = json.map { HTTPRequest.postJSON(url, json: $0.serialized()) } ?? HTTPRequest.get(url)
        request.timeout = settings.timeout
        // The answers are a few small JSON objects.
        request.maxResponseBytes = 64 * 1024
        if !settings.token.isEmpty { request.add("Authorization", "Bearer " + settings.token) }
        if settings.useDeviceIdentity {
            request.clientCertificateFile = settings.certificateFile
            request.clientKeyFile = settings.keyFile
        }
        if !settings.caFile.isEmpty { request.caFile = settings.caFile }
        return request
    }

    /// The JSON object of a 2xx answer; nil for anything else.
    static func object(_ response: HTTPResponse) -> JSONValue? {
        guard response.isSuccess else { return nil }
        let parsed: JSONValue
        do throws(JSONError) { parsed = try JSONValue.parse(response.body) } catch { return nil }
        return parsed.objectValue == nil ? nil : parsed
    }
}
