import JSON
import Runtime
import ServiceKit

/// The command registry over MQTT: a message on `switchyard/<node>/cmnd/<command>` runs
/// `<command>` with the payload as its argument words (split like a console line), and the
/// reply goes to `switchyard/<node>/result` as `{"cmd": ..., "ok": ..., "output": ...}`
/// (QoS 1, not retained). `output` is the command's text as a JSON string, or its JSON.
///
/// A payload that is not UTF-8 text, holds control characters, or is longer than
/// `maxPayloadBytes` is not run: it gets `ok: false` with the reason. Retained messages on
/// command topics are ignored and counted: a retained `restart` would otherwise run again
/// on every reconnect. Commands run on the next loop pass, outside libmosquitto's message
/// callback, so a command may safely reconnect or stop the client. A command that answers
/// later (BLE pairing) has its result published when the answer comes; at most
/// `maxPendingAnswers` may be outstanding, more are refused at once.
public final class CommandTopicBridge {
    /// Longest payload run: far above any command line a person or script sends.
    public static let maxPayloadBytes = 4096
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

    /// Whether commands from the broker may make privileged changes (`cmnd.allow_privileged`):
    /// anyone who can publish there can send them.
    public let allowsPrivileged: Bool

    public init(port: MessagePort, registry: CommandRegistry, topics: StatusTopics, loop: EventLoop,
                allowsPrivileged: Bool = false) {
        self.port = port
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

    /// Unsubscribes: commands published from now on are not run.
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
        let payload = message.payload
        loop.after(.zero) { [self] in self.run(name, payload) }
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
