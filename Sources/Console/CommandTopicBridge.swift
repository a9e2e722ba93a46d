import Contracts
import JSON
import Runtime

/// The command registry over MQTT: a message on `switchyard/<node>/cmnd/<command>` runs
/// `<command>` with the payload as its argument words (split like a console line), and the
/// reply goes to `switchyard/<node>/result` as `{"cmd": ..., "ok": ..., "output": ...}`
/// (QoS 1, not retained). `output` is the command's text as a JSON string, or its JSON.
///
/// A payload that is not UTF-8 text, holds control characters, or is longer than
/// `maxPayloadBytes` is not run: it gets `ok: false` with the reason. Retained messages on
/// command topics are ignored and counted: a retained `restart` would otherwise run again
/// on every reconnect. Commands run on a later loop pass, outside libmosquitto's message
/// callback, so a command may safely reconnect or stop the client.
///
/// Replies are QoS 1 and share the client's bounded outbox with the services' data. A burst
/// of commands (a script publishing thousands at QoS 0) would overflow it and push out
/// replies and data alike, so commands wait in a queue of their own and run only while the
/// outbox is under a quarter full (`OutboxLevel.hasRoomForDeferrable`). That queue is bounded
/// too (`maxPending` commands, `maxPendingBytes` of payload); when it is full the newest
/// command is dropped without running and counted in `droppedPending`.
///
/// A command that answers later (BLE pairing) has its result published when the answer
/// comes; at most `maxPendingAnswers` may be outstanding, more are refused at once.
///
/// Anyone on the broker may publish here, so unless `allowsPrivileged` the requests are
/// marked untrusted: only what commands and keys declare safe remotely runs.
public final class CommandTopicBridge {
    /// Longest payload run: far above any command line a person or script sends.
    public static let maxPayloadBytes = 4096
    /// Commands waiting to run, at most, unless the initializer says otherwise.
    public static let defaultMaxPending = 16_384
    /// Payload bytes of the waiting commands, at most (a burst of long lines stays small).
    public static let maxPendingBytes = 1 << 20
    /// How soon a waiting queue looks again for room in the outbox.
    static let retryInterval = Interval.milliseconds(5)
    /// Commands run in one loop pass at most, so a burst of slow ones (`save` syncs a file)
    /// cannot hold up the loop's other work.
    static let commandsPerPass = 64
    /// Answers the bridge waits for at once: bounds what a flood of slow commands can hold.
    public static let maxPendingAnswers = 8

    public let topics: StatusTopics
    private let port: MessagePort
    private let registry: CommandRegistry
    private let loop: EventLoop
    private let log = Logger("commands")
    private var subscription: PortToken?

    /// Commands run (successful or not).
    public private(set) var executed = 0
    /// Payloads refused without running (binary, control characters, too long, no name).
    public private(set) var rejected = 0
    /// Retained messages ignored.
    public private(set) var ignoredRetained = 0
    /// Commands whose answer is still to come.
    public private(set) var pendingAnswers = 0
    /// Commands dropped without running because the waiting queue was full.
    public private(set) var droppedPending = 0

    // Commands waiting for room in the outbox, oldest at `pendingHead`.
    private var pending: [(name: String, payload: [UInt8])] = []
    private var pendingHead = 0
    private var pendingBytes = 0
    private var drainScheduled: OneShotTimer?
    /// Commands waiting to run now.
    public var pendingCount: Int { pending.count - pendingHead }

    /// Whether commands from the broker run with full rights (`cmnd.allow_privileged`):
    /// anyone who can publish there can send them. Without it only the command forms and keys
    /// declared remote-safe run (`CommandRegistry` and `ConfigCommands` hold them to that).
    /// The gateway updates it when the saved settings change, so turning it off needs no restart.
    public var allowsPrivileged: Bool
    /// Commands waiting to run, at most.
    public let maxPending: Int

    public init(port: MessagePort, registry: CommandRegistry, topics: StatusTopics, loop: EventLoop,
                allowsPrivileged: Bool = false, maxPending: Int = CommandTopicBridge.defaultMaxPending) {
        self.port = port
        self.maxPending = max(1, maxPending)
        self.registry = registry
        self.topics = topics
        self.loop = loop
        self.allowsPrivileged = allowsPrivileged
    }

    /// Subscribes to the command topics (the client keeps the subscription across reconnects).
    public func start() {
        guard subscription == nil else { return }
        subscription = port.subscribe(topics.commandFilter, qos: 1) { [self] message in self.received(message) }
    }

    /// Unsubscribes: commands published from now on are not run (those waiting still run).
    public func stop() {
        guard let subscription else { return }
        port.unsubscribe(subscription)
        self.subscription = nil
    }

    private func received(_ message: MQTTMessage) {
        guard message.topic.hasPrefix(topics.commandPrefix) else { return }
        if message.retain {
            ignoredRetained += 1
            if ignoredRetained == 1 {
                log.warning("ignoring retained command on " + message.topic + ": clear it with an empty retained message")
            }
            return
        }
        let name = String(decoding: Array(message.topic.utf8.dropFirst(topics.commandPrefix.utf8.count)), as: UTF8.self)
        guard pendingCount < maxPending,
              pendingBytes + message.payload.count <= CommandTopicBridge.maxPendingBytes else {
            droppedPending += 1
            if droppedPending == 1 || droppedPending % 1000 == 0 {
                log.warning("command queue full (" + String(pendingCount) + " waiting): dropped \"" + name
                            + "\" without running it, " + String(droppedPending) + " so far; send commands more slowly")
            }
            return
        }
        pending.append((name, message.payload))
        pendingBytes += message.payload.count
        scheduleDrain(after: .zero)
    }

    private func scheduleDrain(after delay: Interval) {
        guard drainScheduled == nil else { return }
        drainScheduled = loop.after(delay) { [self] in
            self.drainScheduled = nil
            self.drain()
        }
    }

    /// Runs waiting commands while the outbox has room for their replies; looks again soon
    /// when it has not.
    private func drain() {
        var ran = 0
        while pendingCount > 0 && ran < CommandTopicBridge.commandsPerPass && port.outboxLevel.hasRoomForDeferrable {
            ran += 1
            let (name, payload) = pending[pendingHead]
            pending[pendingHead] = ("", [])
            pendingHead += 1
            pendingBytes -= payload.count
            run(name, payload)
        }
        if pendingCount == 0 {
            pending.removeAll(keepingCapacity: pending.capacity <= 64)
            pendingHead = 0
            return
        }
        // Drop the consumed front once it is most of the array, so memory follows the queue.
        if pendingHead > 1024 && pendingHead * 2 > pending.count {
            pending.removeFirst(pendingHead)
            pendingHead = 0
        }
        // Out of turn, not out of room: go on after the loop's other work.
        scheduleDrain(after: ran == CommandTopicBridge.commandsPerPass ? .zero : CommandTopicBridge.retryInterval)
    }

    private func run(_ name: String, _ payload: [UInt8]) {
        switch CommandTopicBridge.words(from: payload) {
        case .failure(let reason):
            rejected += 1
            log.info("refused command \"" + name + "\": " + reason.message)
            publish(name, .failure(reason.message))
        case .success(let words):
            if name.isEmpty {
                rejected += 1
                publish(name, .failure("no command name: publish to " + topics.commandPrefix + "<command>"))
            } else if registry.answersLater(name) && pendingAnswers >= CommandTopicBridge.maxPendingAnswers {
                rejected += 1
                publish(name, .failure("too many commands waiting for their answer (max "
                                       + String(CommandTopicBridge.maxPendingAnswers) + "); try again when one has answered"))
            } else {
                executed += 1
                log.debug("mqtt command: " + name)
                pendingAnswers += 1
                registry.execute(name, CommandRequest(origin: .mqtt, arguments: words, allowsPrivileged: allowsPrivileged)) {
                    [self] reply in
                    self.pendingAnswers -= 1
                    self.publish(name, reply)
                }
            }
        }
    }

    /// `{cmd, ok, output}` on the result topic.
    private func publish(_ name: String, _ reply: CommandReply) {
        var result = JSONObject(minimumCapacity: 3)
        result.append("cmd", .string(name))
        result.append("ok", .bool(reply.ok))
        result.append("output", reply.output.json)
        // Bytes, not the `text:` extension, which traps in the Embedded build (MessagePort.swift).
        port.publish(topics.result, Array(JSONValue.object(result).serialized().utf8), qos: 1, retain: false)
    }

    /// Why a payload was not run.
    struct Refusal: Error, Equatable {
        let message: String
    }

    /// The argument words of `payload`, or why it is not a command line: it must be valid
    /// UTF-8 without control characters (tab and line breaks count as spaces).
    static func words(from payload: [UInt8]) -> Result<[String], Refusal> {
        guard payload.count <= maxPayloadBytes else {
            return .failure(Refusal(message: "payload too long (max " + String(maxPayloadBytes) + " bytes)"))
        }
        let text = String(decoding: payload, as: UTF8.self)
        // Decoding replaces invalid sequences with U+FFFD, so valid UTF-8 is exactly the
        // payload that comes back unchanged.
        guard text.utf8.elementsEqual(payload) else {
            return .failure(Refusal(message: "payload is not UTF-8 text; send the arguments as words"))
        }
        var line = ""
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x09, 0x0A, 0x0D:
                line.append(" ")
            case 0x00..<0x20, 0x7F..<0xA0:
                return .failure(Refusal(message: "payload contains control characters; send the arguments as words"))
            default:
                line.unicodeScalars.append(scalar)
            }
        }
        return .success(CommandLineSplitter.split(line))
    }
}
