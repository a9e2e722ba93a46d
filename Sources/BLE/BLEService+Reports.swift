import JSON
import Runtime
import ServiceKit

extension BLEService {
    /// The topic of a device's readings: `switchyard/<node>/ble/<MAC without colons>`.
    func deviceTopic(_ address: BLEAddress) -> String { context.topicPrefix + "/ble/" + address.compact }

    /// The retained `home`/`away` topic of a device.
    func presenceTopic(_ address: BLEAddress) -> String { deviceTopic(address) + "/presence" }

    /// Publishes text through the port's protocol requirement. Not through ServiceKit's
    /// `publish(_:text:)` extension: called on the existential, Embedded Swift 6.3 compiles
    /// that generic extension to a trap (ud2) in the firmware (found with gdb on the x86_64
    /// firmware; the host build is fine).
    @discardableResult
    func send(_ topic: String, _ text: String, qos: Int32, retain: Bool) -> PublishOutcome {
        context.port.publish(topic, Array(text.utf8), qos: qos, retain: retain)
    }

    /// One advertising report: filter, parse, track, decode, publish.
    func handle(_ report: HCIAdvertisingReport) {
        let address = report.address
        if !settings.allow.isEmpty && !settings.allow.contains(address) || settings.deny.contains(address)
            || Int(report.rssi) < settings.minRSSI {
            stats.filtered += 1
            return
        }
        guard let data = AdvertisingData.parse(report.data) else {
            stats.malformedAdverts += 1
            return
        }
        let now = context.clock.now()
        let approved = settings.approved
        guard let device = registry.device(address, type: report.addressType, now: now,
                                           isApproved: { approved[$0] != nil }) else { return }
        device.lastSeen = now
        device.adverts += 1
        device.rssi = report.rssi
        device.addressType = report.addressType
        if let name = data.name, device.name != name { device.name = name }
        if let txPower = data.txPower { device.txPower = txPower }
        if !device.isPresent {
            device.isPresent = true
            publishPresence(device)
        }
        let result = SensorDecoder.decode(data, address: address, key: settings.bthomeKeys[address],
                                          lastCounter: bthomeCounters.last(address), name: device.name,
                                          bindkey: settings.bindkeys[address])
        if let failure = result.failure {
            switch failure {
            case .noKey: stats.bthomeNoKey += 1
            case .authentication: stats.bthomeAuthFailures += 1
            case .replay: stats.bthomeReplays += 1
            case .malformed, .unsupportedVersion: stats.bthomeMalformed += 1
            }
        }
        if let reading = result.reading, isRepeat(reading, of: device) {
            // The same BTHome packet heard again (devices send each several times): published once.
            stats.duplicatePackets += 1
            return
        }
        if let reading = result.reading {
            stats.decoded += 1
            if reading.undecoded != nil { stats.undecodedObjects += 1 }
            device.reading = reading
            if let counter = result.counter { bthomeCounters.accept(counter, from: address) }
        } else if report.isScanResponse {
            // A scan response adds a name to the advert; it is not a reading of its own.
            return
        } else if device.reading == nil {
            device.lastData = Array(report.data)
        }
        publishIfDue(device, now: now, fresh: result.reading != nil || device.reading == nil)
    }

    /// Whether `reading` repeats the device's last BTHome packet: the same packet id (0x00)
    /// and the same values as the reading kept.
    func isRepeat(_ reading: SensorReading, of device: BLEDevice) -> Bool {
        guard reading.format == .bthome || reading.format == .bthomeEncrypted,
              let id = reading.value(.packetID), let last = device.reading else { return false }
        return last.format == reading.format && last.value(.packetID) == id && last.measurements == reading.measurements
    }

    /// Publishes `device` unless filtered or within its rate limit.
    func publishIfDue(_ device: BLEDevice, now: Instant, fresh: Bool) {
        let iotID = settings.approved[device.address]
        if settings.approvedOnly && iotID == nil { return }
        if settings.decodedOnly && device.reading == nil { return }
        guard fresh else { return }
        if let last = device.lastPublished, now - last < settings.publishInterval {
            stats.rateLimited += 1
            return
        }
        let first = device.lastPublished == nil
        device.lastPublished = now
        // The first publish also says `home`: Home Assistant's availability needs it.
        if first { publishPresence(device) }
        // Written into the service's reused buffer: at thousands of adverts a second a tree,
        // a cJSON copy and a String per advert cost more than the publish itself.
        BLEDeviceJSON.write(device, iotDeviceID: iotID.flatMap { $0.isEmpty ? nil : $0 }, into: &readingWriter)
        let topic = device.topic ?? deviceTopic(device.address)
        device.topic = topic
        if case .dropped = context.port.publish(topic, readingWriter.bytes, qos: 0, retain: false) {
            stats.publishDropped += 1
        } else {
            stats.published += 1
        }
        if let iotID {
            announce(device)
            // Before the backend assigned an id the samples are held for it (IoTAwaitingID).
            collect(device, iotDeviceID: iotID)
        }
    }

    /// The cache clear: samples of devices no longer approved go, and so do unapproved
    /// devices unseen for a whole clear interval.
    func clearCache() {
        let approvedIDs = Set(settings.approved.values)
        iot?.clear { approvedIDs.contains($0) }
        let now = context.clock.now()
        let horizon = settings.iot.cacheClearInterval
        let stale = registry.devices.values.filter { settings.approved[$0.address] == nil && now - $0.lastSeen >= horizon }
        for device in stale { registry.remove(device.address) }
    }

    func publishPresence(_ device: BLEDevice) {
        // Presence is retained, so only approved or decoded devices get it: random-MAC phones
        // and trackers must not fill the broker with retained topics.
        let approved = settings.approved[device.address] != nil
        if !approved && (settings.approvedOnly || device.reading == nil) { return }
        stats.presenceChanges += 1
        send(presenceTopic(device.address), device.isPresent ? "home" : "away", qos: 1, retain: true)
    }

    /// Marks devices unseen for the presence timeout as away (each published once).
    func sweepPresence() {
        let now = context.clock.now()
        for device in registry.devices.values where device.isPresent && now - device.lastSeen >= settings.presenceTimeout {
            device.isPresent = false
            publishPresence(device)
        }
    }
}
