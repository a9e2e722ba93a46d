import JSON
import Runtime
import ServiceKit

extension BLEService {
    /// Active mode: connects to approved devices that are around and broadcast no sensor
    /// format of their own (a heart-rate strap, a battery-powered peripheral), keeps the
    /// ATT session, and reconnects with backoff when it drops. Other modes close every link.
    func maintainGATT() {
        guard started, mode == .active else {
            for link in gattLinks.values { link.close() }
            gattLinks.removeAll()
            return
        }
        let now = context.clock.now()
        for (address, _) in settings.approved {
            guard let device = registry[address], device.isPresent, device.reading == nil
                    || device.reading?.format == .heartRateGATT else { continue }
            let link = gattLinks[address] ?? GATTLink(address: address, now: now)
            gattLinks[address] = link
            guard link.client == nil, now >= link.notBefore else { continue }
            connect(link, type: device.addressType)
        }
        for (address, link) in gattLinks where settings.approved[address] == nil {
            link.close()
            gattLinks.removeValue(forKey: address)
        }
    }

    private func connect(_ link: GATTLink, type: BLEAddressType) {
        let descriptor: OwnedDescriptor
        do throws(BLEError) {
            descriptor = try openATT(link.address, type)
        } catch {
            gattLost(link, error.description)
            return
        }
        link.connects += 1
        let client = ATTClient(descriptor: descriptor, loop: context.loop)
        client.onReading = { [self] reading in self.gattReading(link.address, reading) }
        client.onClosed = { [self] reason in self.gattLost(link, reason) }
        link.descriptor = descriptor
        link.client = client
        client.start()
    }

    private func gattLost(_ link: GATTLink, _ reason: String) {
        link.close()
        link.lastProblem = reason
        let delay = link.backoff.nextDelay()
        link.notBefore = context.clock.now() + delay
        log.info("GATT " + link.address.text + ": " + reason + "; reconnecting in " + delay.millisecondsText + " ms")
        // Reconnect on time rather than at the next scan window.
        _ = context.loop.after(delay) { [self] in self.maintainGATT() }
    }

    /// A value from a connected device: merged into its reading, published and queued for
    /// the IoT API like an advert's.
    func gattReading(_ address: BLEAddress, _ reading: SensorReading) {
        guard let device = registry[address] else { return }
        gattLinks[address]?.backoff.reset()
        var merged = device.reading ?? SensorReading(format: .heartRateGATT, measurements: [])
        for measurement in reading.measurements {
            merged.measurements.removeAll { $0.kind == measurement.kind }
            merged.measurements.append(measurement)
        }
        device.reading = merged
        publishIfDue(device, now: context.clock.now(), fresh: true)
    }

    /// Links and their state, for `state`.
    var gattJSON: JSONValue {
        var links: [JSONValue] = []
        for link in gattLinks.values.sorted(by: { $0.address < $1.address }) {
            var object = JSONObject(minimumCapacity: 4)
            object.append("address", .string(link.address.text))
            object.append("phase", .string(link.client?.phase.name ?? "waiting"))
            object.append("connects", .int(link.connects))
            object.append("problem", link.lastProblem.map { .string($0) } ?? .null)
            links.append(.object(object))
        }
        return .array(links)
    }
}
