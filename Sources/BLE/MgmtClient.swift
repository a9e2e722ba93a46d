import Runtime

/// Mgmt commands in flight on one channel, with their replies matched: by opcode, and by the
/// device for replies that carry one (a pairing may finish under the device's identity
/// address, which its New Identity Resolving Key event announced). One command of a kind per
/// device at a time, at most `maxPending` at once, each with a timeout after which its caller
/// gets a failure (and, for a pairing, the kernel a Cancel Pair Device).
final class MgmtClient {
    /// How a command ended.
    enum Outcome {
        /// The kernel answered: Command Complete, or a failing Command Status (no data).
        case completed(MgmtStatus, ArraySlice<UInt8>)
        /// No answer: timed out, or the channel closed. The text says which.
        case failed(String)
    }

    private final class Pending {
        let command: MgmtCommand
        /// The device the reply will name (the identity address once it is known).
        var replyDevice: MgmtAddress?
        let cancel: MgmtCommand?
        let completion: (Outcome) -> Void
        var timer: OneShotTimer?

        init(command: MgmtCommand, cancel: MgmtCommand?, completion: @escaping (Outcome) -> Void) {
            self.command = command
            self.replyDevice = command.device
            self.cancel = cancel
            self.completion = completion
        }
    }

    /// Commands awaited at once: a gateway pairs a few devices, never dozens together.
    static let maxPending = 16

    let channel: MgmtChannel
    /// Events that are not replies: keys, unpairing, authentication failures.
    var onEvent: (MgmtEvent) -> Void = { _ in }
    /// The channel closed; every pending command has failed already.
    var onClosed: (String) -> Void = { _ in }

    /// Replies that matched no command (a late answer after a timeout, say).
    private(set) var unmatchedReplies = 0
    private(set) var timeouts = 0
    private let loop: EventLoop
    private var pending: [Pending] = []

    init(channel: MgmtChannel, loop: EventLoop) {
        self.channel = channel
        self.loop = loop
        channel.onEvent = { [self] event in self.handle(event) }
        channel.onClosed = { [self] reason in self.closed(reason) }
    }

    var isOpen: Bool { channel.isOpen }
    var pendingCount: Int { pending.count }

    /// Sends `command`; `completion` gets its outcome exactly once, unless this returns why it
    /// was not sent (then never). After `timeout` the caller gets a failure and `cancel` (if
    /// any) goes to the kernel.
    func send(_ command: MgmtCommand, timeout: Interval, cancel: MgmtCommand? = nil,
              completion: @escaping (Outcome) -> Void) -> String? {
        guard channel.isOpen else { return "the mgmt channel is closed" }
        if pending.contains(where: { $0.command.opcode == command.opcode && $0.command.device == command.device }) {
            return command.device.map { "a " + MgmtClient.name(command.opcode) + " for " + $0.address.text + " is already in progress" }
                ?? "a " + MgmtClient.name(command.opcode) + " is already in progress"
        }
        guard pending.count < MgmtClient.maxPending else {
            return "too many mgmt commands in flight (max " + String(MgmtClient.maxPending) + "); try again shortly"
        }
        guard channel.send(command.packet(index: channel.index)) else { return "the mgmt channel is not taking commands" }
        let entry = Pending(command: command, cancel: cancel, completion: completion)
        entry.timer = loop.after(timeout) { [self] in self.timedOut(entry, after: timeout) }
        pending.append(entry)
        return nil
    }

    /// Closes the channel; pending commands fail with `reason`.
    func close(_ reason: String) {
        channel.close()
        failAll(reason)
        onEvent = { _ in }
        onClosed = { _ in }
    }

    private func closed(_ reason: String) {
        failAll(reason)
        let closed = onClosed
        onEvent = { _ in }
        onClosed = { _ in }
        closed(reason)
    }

    private func failAll(_ reason: String) {
        let failed = pending
        pending.removeAll()
        for entry in failed {
            entry.timer?.cancel()
            entry.completion(.failed(reason))
        }
    }

    private func timedOut(_ entry: Pending, after timeout: Interval) {
        guard let position = pending.firstIndex(where: { $0 === entry }) else { return }
        pending.remove(at: position)
        timeouts += 1
        if let cancel = entry.cancel {
            // The kernel answers the cancel, and then the pairing as cancelled: that late
            // reply finds nobody waiting and is counted as unmatched.
            _ = send(cancel, timeout: .seconds(10)) { _ in }
        }
        entry.completion(.failed("no answer within " + String(timeout.milliseconds / 1000) + " s"))
    }

    private func handle(_ event: MgmtEvent) {
        switch event {
        case .commandComplete(let opcode, let status, let data):
            finish(opcode, device: MgmtAddress(wire: data), .completed(status, data))
        case .commandStatus(let opcode, let status):
            // Success here only says the command is under way; its Command Complete follows.
            guard !status.isSuccess else { return }
            finish(opcode, device: nil, .completed(status, []))
        case .newIdentityResolvingKey(_, let randomAddress, let key):
            // Sent before the pairing's Command Complete, which then names the identity.
            for entry in pending where entry.replyDevice?.address == randomAddress { entry.replyDevice = key.device }
            onEvent(event)
        default:
            onEvent(event)
        }
    }

    /// Completes the oldest command with `opcode` (and `device`, when the reply names one).
    private func finish(_ opcode: UInt16, device: MgmtAddress?, _ outcome: Outcome) {
        let position = pending.firstIndex { entry in
            guard entry.command.opcode == opcode else { return false }
            guard let device, entry.command.device != nil else { return true }
            return entry.replyDevice == device || entry.command.device == device
        }
        guard let position else {
            unmatchedReplies += 1
            return
        }
        let entry = pending.remove(at: position)
        entry.timer?.cancel()
        entry.completion(outcome)
    }

    /// A command's name for messages.
    static func name(_ opcode: UInt16) -> String {
        switch opcode {
        case MgmtOpcode.setPowered: return "Set Powered"
        case MgmtOpcode.userConfirmReply: return "User Confirmation Reply"
        case MgmtOpcode.userConfirmNegativeReply: return "User Confirmation Negative Reply"
        case MgmtOpcode.setBondable: return "Set Bondable"
        case MgmtOpcode.loadLongTermKeys: return "Load Long Term Keys"
        case MgmtOpcode.setIOCapability: return "Set IO Capability"
        case MgmtOpcode.pairDevice: return "pairing"
        case MgmtOpcode.cancelPairDevice: return "Cancel Pair Device"
        case MgmtOpcode.unpairDevice: return "unpairing"
        case MgmtOpcode.loadIdentityResolvingKeys: return "Load Identity Resolving Keys"
        default: return "mgmt command " + BLEHex.uuid16(opcode)
        }
    }
}
