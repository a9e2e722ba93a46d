import JSON
import Runtime
import Store

/// Pairing through the kernel's mgmt API, with no bluetoothd: pairs and unpairs devices for
/// `bcms`, keeps the keys the kernel hands out (New Long Term Key / New Identity Resolving
/// Key with Store_Hint set) in the secret record `ble.pairing_keys`, and hands them back to
/// the kernel whenever the channel opens (the service's start, or again after it closed).
///
/// The channel opens at start when there is one (a kernel adapter, or `ble.mgmt_socket`); if
/// it cannot, each request tries again and says why not. A UART controller has none: pairing
/// answers that it needs a kernel adapter. Keys are never logged, printed or published.
final class BLEPairing {
    /// Setup and unpairing are answered by the kernel itself, at once; this only catches a
    /// channel that stopped answering.
    static let commandTimeout: Interval = .seconds(10)

    private(set) var keys: BLEPairingKeys
    /// Why the last attempt to open the channel failed, while it is closed.
    private(set) var problem: String?
    private(set) var pairings = 0
    private(set) var failures = 0
    private(set) var authenticationFailures = 0
    /// Keys the kernel said not to keep (the device does not bond).
    private(set) var keysNotKept = 0
    /// Devices a `pair` is running for: the only ones whose confirmation requests are answered yes.
    private var pairingNow: Set<BLEAddress> = []
    /// Times the adapter came back (mgmt Index Added) and was set up again.
    private(set) var adapterReturns = 0

    private let settings: BLESettings
    private let store: ConfigStore
    private let loop: EventLoop
    private let log: Logger
    private var client: MgmtClient?
    private var started = false
    /// Why the keys could not be saved, until a save works again.
    private var saveProblem: String?

    init(settings: BLESettings, store: ConfigStore, loop: EventLoop, log: Logger) {
        self.settings = settings
        self.store = store
        self.loop = loop
        self.log = log
        keys = settings.pairingKeys
    }

    /// Opens the channel now (so the kernel knows the kept keys before a device reconnects).
    func start() {
        started = true
        guard MgmtEndpoint.isAvailable(settings) else { return }
        _ = open()
    }

    /// Closes the channel; requests still waiting fail, saying the service stopped.
    func stop() {
        started = false
        client?.close("the BLE service stopped")
        client = nil
    }

    /// Whether a pairing with `address` runs now.
    func isPairing(_ address: BLEAddress) -> Bool { pairingNow.contains(address) }

    /// Whether a long term key of `address` is kept.
    func isPaired(_ address: BLEAddress) -> Bool { keys.isPaired(address) }

    /// How `address` is addressed in mgmt: as its kept keys name it, else `heard` (the type
    /// of its adverts), else public.
    func device(_ address: BLEAddress, heard: BLEAddressType?) -> MgmtAddress {
        if let kept = keys.device(address) { return kept }
        return MgmtAddress(address, heard.map { MgmtAddressType(hci: $0) } ?? .lePublic)
    }

    /// Pairs with `device`; `completion` gets nil once it is paired (its keys kept), else why not.
    func pair(_ device: MgmtAddress, completion: @escaping (String?) -> Void) {
        let client: MgmtClient
        switch open() {
        case .success(let open): client = open
        case .failure(let error): return completion(error.description)
        }
        let name = device.address.text
        pairingNow.insert(device.address)
        let refusal = client.send(.pair(device, capability: settings.ioCapability), timeout: settings.pairTimeout,
                                  cancel: .cancelPair(device)) { [self] outcome in
            self.pairingNow.remove(device.address)
            switch outcome {
            case .completed(let status, _) where status.isSuccess:
                self.pairings += 1
                if let saveProblem = self.saveProblem { return completion("paired with " + name + ", but " + saveProblem) }
                if !self.keys.isPaired(device.address) {
                    self.log.warning("paired with " + name + ", but it handed out no key to keep (it does not bond): "
                                     + "it will have to pair again")
                } else {
                    self.log.info("paired with " + name)
                }
                completion(nil)
            case .completed(let status, _):
                self.failures += 1
                self.log.warning("pairing with " + name + " failed: " + status.message)
                completion("pairing with " + name + " failed: " + status.message)
            case .failed(let reason):
                self.failures += 1
                self.log.warning("pairing with " + name + " failed: " + reason)
                completion("pairing with " + name + " failed: " + reason
                           + (reason.hasPrefix("no answer") ? "; cancelled (is the device in range and accepting pairing?)" : ""))
            }
        }
        if let refusal {
            pairingNow.remove(device.address)
            completion(refusal)
        }
    }

    /// Unpairs `device` (the kernel drops its keys and the connection) and forgets its kept
    /// keys; `completion` gets nil on success, else why not.
    func unpair(_ device: MgmtAddress, completion: @escaping (String?) -> Void) {
        let client: MgmtClient
        switch open() {
        case .success(let open): client = open
        case .failure(let error): return completion(error.description)
        }
        let name = device.address.text
        let refusal = client.send(.unpair(device), timeout: BLEPairing.commandTimeout) { [self] outcome in
            switch outcome {
            case .completed(let status, _) where status.isSuccess || status == .notPaired:
                // Not paired in the kernel (an adapter swapped, say) still means forget ours.
                let removed = self.forget(device.address)
                if let saveProblem = self.saveProblem { return completion(saveProblem) }
                guard status.isSuccess || removed else { return completion("not paired with " + name) }
                self.log.info("unpaired " + name)
                completion(nil)
            case .completed(let status, _):
                completion("unpairing " + name + " failed: " + status.message)
            case .failed(let reason):
                completion("unpairing " + name + " failed: " + reason)
            }
        }
        if let refusal { completion(refusal) }
    }

    /// Counters and the channel, for `state` (no keys, only how many devices have them).
    var json: JSONValue {
        var object = JSONObject(minimumCapacity: 10)
        object.append("channel", .string(client?.channel.label ?? "closed"))
        if let problem { object.append("problem", .string(problem)) }
        object.append("paired", .int(keys.pairedCount))
        object.append("pairings", .int(pairings))
        object.append("failures", .int(failures))
        object.append("auth_failures", .int(authenticationFailures))
        object.append("keys_not_kept", .int(keysNotKept))
        object.append("adapter_returns", .int(adapterReturns))
        object.append("pending", .int(client?.pendingCount ?? 0))
        object.append("malformed_packets", .int(client?.channel.malformedPackets ?? 0))
        object.append("unmatched_replies", .int(client?.unmatchedReplies ?? 0))
        return .object(object)
    }

    // MARK: the channel

    /// The open client, opening the channel (and loading the kept keys) when needed.
    private func open() -> Result<MgmtClient, BLEError> {
        if let client, client.isOpen { return .success(client) }
        guard started else {
            return .failure(.invalidSetting(key: "ble", reason: "the BLE service is not running (ble.enabled is false, "
                                            + "or a setting it cannot use: see `ble status`)"))
        }
        let endpoint: MgmtEndpoint
        do throws(BLEError) { endpoint = try MgmtEndpoint.open(settings) } catch {
            problem = error.description
            return .failure(error)
        }
        problem = nil
        let channel = MgmtChannel(descriptor: endpoint.descriptor, index: endpoint.index, label: endpoint.label, loop: loop)
        let client = MgmtClient(channel: channel, loop: loop)
        client.onEvent = { [self] event in self.handle(event) }
        client.onClosed = { [self] reason in
            self.log.warning(reason + "; reopened at the next pairing request")
            self.problem = reason
            self.client = nil
        }
        channel.start()
        self.client = client
        setUp(client)
        log.info("pairing through " + endpoint.label + "; keys of " + String(keys.pairedCount) + " paired devices loaded")
        return .success(client)
    }

    /// Ours is a headless gateway's IO capability; bondable, so devices hand out keys to
    /// keep; and the keys kept, which the kernel lost when it last lost the adapter.
    private func setUp(_ client: MgmtClient) {
        let setup: [MgmtCommand] = [.setIOCapability(settings.ioCapability), .setBondable(true),
                                    .loadLongTermKeys(keys.longTermKeys), .loadIdentityResolvingKeys(keys.identityKeys)]
        for command in setup {
            let refusal = client.send(command, timeout: BLEPairing.commandTimeout) { [self] outcome in
                switch outcome {
                case .completed(let status, _) where status.isSuccess: break
                case .completed(let status, _): self.log.warning(MgmtClient.name(command.opcode) + ": " + status.message)
                case .failed(let reason): self.log.warning(MgmtClient.name(command.opcode) + ": " + reason)
                }
            }
            if let refusal { log.warning(MgmtClient.name(command.opcode) + ": " + refusal) }
        }
    }

    private func handle(_ event: MgmtEvent) {
        switch event {
        case .newLongTermKey(let storeHint, let key):
            guard storeHint else {
                keysNotKept += 1
                return
            }
            keys.add(key)
            save()
        case .newIdentityResolvingKey(let storeHint, _, let key):
            guard storeHint else {
                keysNotKept += 1
                return
            }
            keys.add(key)
            save()
        case .deviceUnpaired(let device):
            if forget(device.address) { log.info("unpaired " + device.address.text + " (by another mgmt user)") }
        case .authenticationFailed(let device, let status):
            authenticationFailures += 1
            log.warning("authentication with " + device.address.text + " failed: " + status.message)
        case .userConfirmRequest(let device, let justWorks):
            // Learned from the kernel (Debian's 6.1): the side that starts a Just Works pairing
            // is asked too, and the pairing waits for the answer until SMP gives up (30 s).
            // Yes only to a Just Works request for a pairing `bcms pair` started; anything else
            // (a number to compare, a device nobody asked to pair) is refused.
            let accept = justWorks && pairingNow.contains(device.address)
            guard let client else { return }
            if !accept { log.warning("pairing with " + device.address.text + ": confirmation request refused") }
            let refusal = client.send(.userConfirm(device, accept: accept), timeout: BLEPairing.commandTimeout) { [self] outcome in
                if case .failed(let reason) = outcome { self.log.warning("User Confirmation Reply: " + reason) }
            }
            if let refusal { log.warning("User Confirmation Reply: " + refusal) }
        case .indexAdded:
            // The adapter was removed and came back (a USB dongle replugged, a UART radio
            // reset): the kernel starts it with no keys, so a bonded device could no longer
            // encrypt. The channel stays open across that; set the adapter up again.
            guard let client else { return }
            setUp(client)
            adapterReturns += 1
            log.info("adapter back: keys of " + String(keys.pairedCount) + " paired devices loaded again")
        case .commandComplete, .commandStatus, .other:
            break
        }
    }

    /// Drops the keys of `address` and saves; true if there were any.
    private func forget(_ address: BLEAddress) -> Bool {
        guard keys.remove(address) else { return false }
        save()
        return true
    }

    private func save() {
        saveProblem = store.record(BLEConfigKeys.pairingKeys.name, keys.text)
        if let saveProblem { log.warning("pairing keys not saved: " + saveProblem) }
    }
}
