import Runtime
import ServiceKit

extension BLEService {
    /// Starts registering approved devices with the backend, answers recorded as they come.
    func startRegistration(_ backend: IoTBackend) {
        let registration = IoTRegistration(backend: backend, http: context.http)
        registration.onOutcome { [self] address, outcome in self.registrationEnded(address, outcome) }
        self.registration = registration
        registerPending()
    }

    /// Asks the backend for the id of every approved device that has none yet.
    func registerPending() {
        guard let registration else { return }
        let pending = settings.approved.keys.sorted().filter { settings.approved[$0] == "" }
        if !pending.isEmpty { registration.register(pending) }
    }

    private func registrationEnded(_ address: BLEAddress, _ outcome: IoTRegistration.Outcome) {
        // Removed (or approved under a given id) while the request ran: nothing to record.
        guard case .registered(let id, _) = outcome, settings.approved[address] == "" else { return }
        if let problem = recordApproval(address, iotDeviceID: id) {
            log.warning("the id of " + address.text + " could not be recorded: " + problem)
        }
    }

    /// Queues the IoT API samples of an approved device's reading (as rate-limited as
    /// publishing): its decoded values through the backend's data model, and the original's
    /// passive service data samples. `iotDeviceID` is "" until the backend assigned one.
    func collect(_ device: BLEDevice, iotDeviceID: String) {
        guard iot != nil else { return }
        let timestamp = WallClock.millisecondsSinceEpoch() / 1000
        if let reading = device.reading {
            for measurement in reading.measurements where !measurement.kind.isText {
                guard let sample = IoTDataModel.sample(quantity: measurement.kind.key, value: measurement.value,
                                                       iotDeviceID: iotDeviceID, timestamp: timestamp) else { continue }
                queue(sample, of: device.address)
            }
        }
        guard !device.lastData.isEmpty, let data = AdvertisingData.parse(device.lastData[...]) else { return }
        let passive = PassiveServiceData.samples(data, iotDeviceID: iotDeviceID, timestamp: timestamp)
        stats.passiveDropped += passive.dropped
        for sample in passive.samples { queue(sample, of: device.address) }
    }

    /// Hands `sample` of approved device `address` to the submitter, or holds it while the
    /// device has no backend id yet (released by `recordApproval` when the id comes).
    func queue(_ sample: IoTSample, of address: BLEAddress) {
        guard let iot else { return }
        if sample.iotDeviceID.isEmpty {
            awaitingID.hold(sample, for: address)
        } else {
            iot.add(sample)
        }
    }
}
