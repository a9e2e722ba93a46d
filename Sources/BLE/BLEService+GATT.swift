import JSON
import Runtime
import ServiceKit

extension BLEService {
    /// Keeps GATT connections to the approved devices that need one, and reconnects them:
    /// blood-pressure cuffs (bonded first) in every mode but off; in active mode also devices
    /// that broadcast no sensor format of their own (a heart-rate strap, a thermometer).
    func maintainGATT() {
        guard started, mode != .off else {
            for link in gattLinks.values { drop(link) }
            gattLinks.removeAll()
            return
        }
        let now = context.clock.now()
        // By address, so devices wanted at once queue in a stated order.
        for address in settings.approved.keys.sorted() {
            guard let device = registry[address], device.isPresent, wantsGATT(device) else { continue }
            let link = gattLinks[address] ?? GATTLink(address: address, now: now)
            gattLinks[address] = link
            guard link.client == nil, !link.isBonding, link.turn == nil, now >= link.notBefore else { continue }
            // The attempt waits for the adapter's turn; a full queue leaves it for the next round.
            // A turn taken at once may be over already when `request` returns.
            if let ticket = connectTurns.request({ [self] ticket in self.attempt(link, ticket) }), connectTurns.holds(ticket) {
                link.turn = ticket
            }
        }
        for (address, link) in gattLinks where settings.approved[address] == nil || registry[address].map(wantsGATT) != true {
            drop(link)
            gattLinks.removeValue(forKey: address)
        }
    }

    /// Closes `link` and gives back its turn, waiting or running.
    private func drop(_ link: GATTLink) {
        link.close()
        endTurn(link)
    }

    private func endTurn(_ link: GATTLink) {
        guard let ticket = link.turn else { return }
        link.turn = nil
        connectTurns.finished(ticket)
    }

    /// `link`'s turn came: bond a cuff not bonded yet, else connect.
    private func attempt(_ link: GATTLink, _ ticket: LEConnectQueue.Ticket) {
        link.turn = ticket
        guard started, gattLinks[link.address] === link, let device = registry[link.address], link.client == nil else {
            return endTurn(link)
        }
        if BloodPressureCuff.matches(device.name) && !pairing.isPaired(link.address) {
            bond(link, device)
        } else {
            connect(link, type: device.addressType)
        }
    }

    private func wantsGATT(_ device: BLEDevice) -> Bool {
        if BloodPressureCuff.matches(device.name) { return true }
        return mode == .active && (device.reading == nil || device.reading?.format == .heartRateGATT)
    }

    /// Bonds with a cuff through mgmt, then connects (a cuff keeps its readings from an
    /// unbonded central).
    private func bond(_ link: GATTLink, _ device: BLEDevice) {
        link.isBonding = true
        pairing.pair(pairing.device(device.address, heard: device.addressType)) { [self] problem in
            link.isBonding = false
            guard self.gattLinks[link.address] === link, self.started else { return self.endTurn(link) }
            if let problem { return self.gattLost(link, problem) }
            self.connect(link, type: device.addressType)
        }
    }

    private func connect(_ link: GATTLink, type: BLEAddressType) {
        let descriptor: OwnedDescriptor
        do throws(BLEError) {
            descriptor = try openATT(link.address, type, pairing.isPaired(link.address))
        } catch where error.isAdapterBusy {
            adapterBusy(link)
            return
        } catch {
            gattLost(link, error.description)
            return
        }
        link.connects += 1
        link.busyInARow = 0
        let client = ATTClient(descriptor: descriptor, loop: context.loop)
        // Connected: the kernel's attempt is over, the next device may start its own.
        client.onConnected = { [self] in self.endTurn(link) }
        client.onReading = { [self] reading in self.gattReading(link.address, reading) }
        client.onBloodPressure = { [self] measurement in self.bloodPressure(link, measurement) }
        client.onReady = {
            link.succeeded()
            link.clockOffset = client.clockOffset
            if client.clockSet { link.clockSets += 1 }
        }
        client.onClosed = { [self] reason in self.gattLost(link, reason) }
        link.descriptor = descriptor
        link.client = client
        client.start()
    }

    private func gattLost(_ link: GATTLink, _ reason: String) {
        drop(link)
        link.lastProblem = reason
        let delay = link.delayAfterFailure()
        link.notBefore = context.clock.now() + delay
        log.info("GATT " + link.address.text + ": " + reason + "; reconnecting in " + delay.millisecondsText + " ms")
        // Reconnect on time rather than at the next scan window.
        _ = context.loop.after(delay) { [self] in self.maintainGATT() }
    }

    /// The kernel answered EBUSY: another LE connection attempt runs on the adapter (one the
    /// gateway did not start, or one not yet over). A short wait (growing while EBUSY goes on),
    /// not a failure of the device: its failures and backoff stay as they were.
    private func adapterBusy(_ link: GATTLink) {
        drop(link)
        let delay = link.delayAfterBusy()
        link.lastProblem = "the adapter is busy with another LE connection attempt"
        link.notBefore = context.clock.now() + delay
        _ = context.loop.after(delay) { [self] in self.maintainGATT() }
    }

    /// A value from a connected device: merged into its reading, published and queued for
    /// the IoT API like an advert's.
    func gattReading(_ address: BLEAddress, _ reading: SensorReading) {
        guard let device = registry[address] else { return }
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
            var object = JSONObject(minimumCapacity: 8)
            object.append("address", .string(link.address.text))
            let idle = link.turn != nil ? "waiting_turn" : "waiting"
            object.append("phase", .string(link.isBonding ? "bonding" : (link.client?.phase.name ?? idle)))
            object.append("connects", .int(link.connects))
            object.append("failures_in_a_row", .int(link.failuresInARow))
            object.append("busy_answers", .int(link.busyAnswers))
            object.append("clock_offset_s", link.clockOffset.map { .int($0) } ?? .null)
            object.append("clock_sets", .int(link.clockSets))
            object.append("problem", link.lastProblem.map { .string($0) } ?? .null)
            links.append(.object(object))
        }
        return .array(links)
    }
}
