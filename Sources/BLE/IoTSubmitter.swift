import HTTPClient
import JSON
import Runtime

/// Sends cached samples to the IoT API through the gateway's HTTP client (libcurl multi in
/// the run loop), one request at a time. Samples leave the cache only on a 2xx; a failure
/// keeps them and retries after a backoff, ahead of the next regular submission. Before a
/// device's first batch since start, the backend's last data submission for it is asked and
/// the samples it already has are skipped (a cuff sends its stored readings again on every
/// connection).
public final class IoTSubmitter {
    public let settings: IoTSettings
    public let backend: IoTBackend
    /// Devices whose last data submission was asked since start, and what it said.
    public private(set) var lastDelivered: [String: Int64?] = [:]
    public private(set) var cache: IoTSampleCache
    /// POSTs answered 2xx, and failures (non-2xx or transport errors).
    public private(set) var successes = 0
    public private(set) var failures = 0
    public private(set) var lastStatus: Int?
    public private(set) var lastError: String?

    private let http: HTTPClient
    private let loop: EventLoop
    private let log = Logger("iot")
    private var inFlight: HTTPTransferID?
    private var retryTimer: OneShotTimer?
    private var backoff = ReconnectBackoff(initial: .seconds(2), maximum: .seconds(300))

    public init(settings: IoTSettings, http: HTTPClient, loop: EventLoop) {
        self.settings = settings
        backend = IoTBackend(settings: settings)
        self.http = http
        self.loop = loop
        cache = IoTSampleCache(capacity: settings.capacity)
    }

    /// Queues a sample (drop-oldest when full).
    public func add(_ sample: IoTSample) { cache.append(sample) }

    /// Whether a POST is running.
    public var isSubmitting: Bool { inFlight != nil }

    /// Sends what is cached, unless a POST or a retry is already pending.
    public func submit() {
        guard inFlight == nil, retryTimer == nil, settings.isEnabled else { return }
        if let unchecked = cache.deviceIDs.first(where: { lastDelivered[$0] == nil }) {
            return askLastSubmission(unchecked)
        }
        let batch = cache.takeBatch(limit: settings.batchLimit)
        guard !batch.isEmpty else { return }
        let request = backend.request(backend.submitURL, json: IoTPayload.json(batch))
        let count = batch.count
        do throws(HTTPClientError) {
            inFlight = try http.send(request) { [self] result in self.finished(result, count: count) }
        } catch {
            cache.release()
            failed(error.description)
        }
    }

    /// `GET .../last-data-submission` for `id`: drops what the backend has, then submits.
    /// 404 or no timestamp: it has nothing of this device. Other failures retry with backoff.
    private func askLastSubmission(_ id: String) {
        do throws(HTTPClientError) {
            inFlight = try http.send(backend.request(backend.lastSubmissionURL(id))) { [self] result in
                self.inFlight = nil
                switch result {
                case .failure(let error): self.failed(error.description)
                case .success(let response) where response.status == 404:
                    self.lastDelivered[id] = .some(nil)
                    self.submit()
                case .success(let response):
                    guard let answer = IoTBackend.object(response) else {
                        return self.failed("last data submission: HTTP " + String(response.status))
                    }
                    let last = IoTLastSubmission.timestamp(answer)
                    self.lastDelivered[id] = .some(last)
                    if let last {
                        let skipped = self.cache.discard { $0.iotDeviceID == id && $0.timestamp <= last }
                        if skipped > 0 { self.log.info("skipped " + String(skipped) + " samples the backend has of " + id) }
                    }
                    self.submit()
                }
            }
        } catch {
            failed(error.description)
        }
    }

    private func finished(_ result: Result<HTTPResponse, HTTPClientError>, count: Int) {
        inFlight = nil
        switch result {
        case .success(let response):
            lastStatus = response.status
            if response.isSuccess {
                cache.acknowledge()
                successes += 1
                lastError = nil
                backoff.reset()
                log.debug("submitted " + String(count) + " samples")
                // More than one batch waiting: keep going.
                if !cache.isEmpty { submit() }
            } else {
                cache.release()
                failed("HTTP " + String(response.status))
            }
        case .failure(let error):
            cache.release()
            failed(error.description)
        }
    }

    private func failed(_ reason: String) {
        failures += 1
        lastError = reason
        let delay = backoff.nextDelay()
        log.warning("IoT submission failed (" + reason + "); " + String(cache.count) + " samples kept, retry in "
                    + delay.millisecondsText + " ms")
        retryTimer = loop.after(delay) { [self] in
            self.retryTimer = nil
            self.submit()
        }
    }

    /// The cache clear: drops samples of devices `keep` refuses.
    public func clear(keeping keep: (String) -> Bool) { cache.clear(keeping: keep) }

    /// Cancels the POST in flight (its samples stay) and the retry.
    public func stop() {
        if let inFlight { http.cancel(inFlight) }
        inFlight = nil
        cache.release()
        retryTimer?.cancel()
        retryTimer = nil
    }

    /// URL (without query), auth kind, counters; never the token.
    public var json: JSONValue {
        var object = JSONObject(minimumCapacity: 12)
        object.append("url", .string(String(settings.url.split(separator: "?", maxSplits: 1).first ?? "")))
        object.append("auth", .string(settings.useDeviceIdentity ? "device_identity" : (settings.token.isEmpty ? "none" : "bearer (set)")))
        object.append("pending", .int(cache.count))
        object.append("in_flight", .int(cache.inFlight))
        object.append("submitted", .int(cache.submitted))
        object.append("dropped", .int(cache.dropped))
        object.append("cleared", .int(cache.cleared))
        object.append("skipped", .int(cache.skipped))
        object.append("successes", .int(successes))
        object.append("failures", .int(failures))
        object.append("last_status", lastStatus.map { .int($0) } ?? .null)
        object.append("last_error", lastError.map { .string($0) } ?? .null)
        return .object(object)
    }
}
