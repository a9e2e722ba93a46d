import HTTPClient
import JSON
import Runtime

/// Registers approved devices with the backend, which assigns their `iotDeviceId`: ask
/// `POST {app}/api/iot-devices/exists` `{"hardwareIdentifier": MAC}`; a known device answers
/// its id, an unknown one is created with `POST {app}/api/iot-devices` (model `generic`,
/// `bluetooth_le`) and the answer's id is kept. One device at a time; a device whose
/// registration failed (backend unreachable, refused, an answer without an id) stays
/// approved and is asked again at the next `registerPending` (every submission interval).
public final class IoTRegistration {
    /// How one registration ended.
    public enum Outcome: Equatable {
        case registered(id: String, created: Bool)
        case failed(String)
    }

    public private(set) var registered = 0
    public private(set) var created = 0
    public private(set) var failures = 0
    public private(set) var lastError: String?

    private let backend: IoTBackend
    private let http: HTTPClient
    private let log = Logger("iot")
    private var inFlight: (address: BLEAddress, transfer: HTTPTransferID)?
    private var waiting: [BLEAddress] = []
    private var completion: (BLEAddress, Outcome) -> Void = { _, _ in }

    public init(backend: IoTBackend, http: HTTPClient) {
        self.backend = backend
        self.http = http
    }

    /// Called with every outcome; the service records the id.
    public func onOutcome(_ completion: @escaping (BLEAddress, Outcome) -> Void) { self.completion = completion }

    /// Queues `addresses` not already queued or in flight, and starts the first.
    public func register(_ addresses: [BLEAddress]) {
        for address in addresses where inFlight?.address != address && !waiting.contains(address) {
            waiting.append(address)
        }
        next()
    }

    /// Whether `address` is queued or being registered.
    public func isPending(_ address: BLEAddress) -> Bool { inFlight?.address == address || waiting.contains(address) }

    /// Cancels the request in flight and forgets the queue.
    public func stop() {
        if let inFlight { http.cancel(inFlight.transfer) }
        inFlight = nil
        waiting.removeAll()
    }

    private func next() {
        guard inFlight == nil, !waiting.isEmpty else { return }
        let address = waiting.removeFirst()
        send(address, backend.existsURL, ["hardwareIdentifier": .string(address.text)]) { [self] answer in
            guard let answer else { return }
            if answer["exists"]?.boolValue == true {
                self.finish(address, id: answer["id"]?.stringValue, created: false)
                return
            }
            self.create(address)
        }
    }

    private func create(_ address: BLEAddress) {
        let body: JSONValue = ["hardwareIdentifier": .string(address.text), "model": "generic", "connectionType": "bluetooth_le",
                               "connectionMeta": .object(JSONObject(minimumCapacity: 0)), "supportedDataTypes": .array([])]
        send(address, backend.createURL, body) { [self] answer in
            guard let answer else { return }
            self.finish(address, id: answer["id"]?.stringValue, created: true)
        }
    }

    /// POSTs `body`; `handle` gets the answer's object, or nil after the failure was reported.
    private func send(_ address: BLEAddress, _ url: String, _ body: JSONValue, _ handle: @escaping (JSONValue?) -> Void) {
        do throws(HTTPClientError) {
            let transfer = try http.send(backend.request(url, json: body)) { [self] result in
                self.inFlight = nil
                switch result {
                case .failure(let error):
                    self.fail(address, error.description)
                    handle(nil)
                case .success(let response):
                    guard let object = IoTBackend.object(response) else {
                        self.fail(address, response.isSuccess ? "an answer that is no JSON object" : "HTTP " + String(response.status))
                        handle(nil)
                        return
                    }
                    handle(object)
                }
            }
            inFlight = (address, transfer)
        } catch {
            fail(address, error.description)
            handle(nil)
        }
    }

    private func finish(_ address: BLEAddress, id: String?, created isNew: Bool) {
        guard let id, IoTDeviceID.isValid(id) else {
            fail(address, "an answer without a device id")
            return
        }
        registered += 1
        if isNew { created += 1 }
        lastError = nil
        log.info("registered " + address.text + " as " + id + (isNew ? " (created)" : " (known)"))
        completion(address, .registered(id: id, created: isNew))
        next()
    }

    private func fail(_ address: BLEAddress, _ reason: String) {
        failures += 1
        lastError = reason
        log.warning("registering " + address.text + " failed (" + reason + "); kept approved, asked again later")
        completion(address, .failed(reason))
        // The backend is likely down for the rest too: they wait for the next round.
        waiting.removeAll()
    }

    /// Counters for `state`.
    public var json: JSONValue {
        var object = JSONObject(minimumCapacity: 5)
        object.append("registered", .int(registered))
        object.append("created", .int(created))
        object.append("failures", .int(failures))
        object.append("pending", .int(waiting.count + (inFlight == nil ? 0 : 1)))
        object.append("last_error", lastError.map { .string($0) } ?? .null)
        return .object(object)
    }
}
