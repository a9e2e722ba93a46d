import Contracts
import JSON
import Runtime

/// Publishes the gateway's birth (`online`), will (`offline`) and heartbeat.
///
/// The heartbeat is the retained `state` JSON: every `period` and whenever `changed()` is
/// called, at most once per loop pass. What goes in it is the caller's: `snapshot` builds it.
public final class StatusPublisher {
    /// Where it publishes: changed by `rename(to:)` when the node's name changes.
    public private(set) var topics: StatusTopics
    private let client: MQTTClient
    private let loop: EventLoop
    /// Builds the `state` JSON; replaceable after init so its owner can capture itself.
    public var snapshotProvider: () -> JSONValue
    private var task: FixedRateTask?
    private var pendingChange: OneShotTimer?
    public private(set) var heartbeats = 0

    public init(topics: StatusTopics, client: MQTTClient, loop: EventLoop, snapshot: @escaping () -> JSONValue) {
        self.topics = topics
        self.client = client
        self.loop = loop
        snapshotProvider = snapshot
    }

    /// The will to put in the client's settings before it connects.
    public static func will(for topics: StatusTopics) -> MQTTWill {
        MQTTWill(topic: topics.status, payload: StatusTopics.offline, qos: 1, retain: true)
    }

    /// Starts the heartbeat; publishes `online` and a fresh `state` on every (re)connect.
    public func start(period: Interval = .seconds(30)) {
        client.onConnect { [self] in
            self.client.publish(self.topics.status, StatusTopics.online, qos: 1, retain: true)
            self.publishState()
        }
        task = loop.addTask("heartbeat", every: period) { [self] in self.publishState() }
    }

    /// Asks for a heartbeat soon (coalesced: many changes in one pass make one message).
    public func changed() {
        guard pendingChange == nil else { return }
        pendingChange = loop.after(.zero) { [self] in
            self.pendingChange = nil
            self.publishState()
        }
    }

    /// Publishes the `state` heartbeat now (when connected; a heartbeat is not worth queueing).
    public func publishState() {
        guard client.isConnected else { return }
        heartbeats += 1
        client.publish(topics.state, text: snapshotProvider().serialized(), qos: 0, retain: true)
    }

    /// Publishes `offline` (retained) on the connection about to be closed on purpose (the
    /// broker settings changed): a clean disconnect sends no will, and the old broker would
    /// show the gateway online forever. The new connection announces `online` as usual.
    public func publishLeaving() {
        guard client.isConnected else { return }
        client.publish(topics.status, StatusTopics.offline, qos: 1, retain: true)
    }

    /// Moves to `newTopics` (`node.name` changed): `offline` (retained, queued if the broker
    /// is away) on the old status topic, and the old retained `state` deleted, so nothing
    /// shows the old name online. The next connect announces `online` on the new topics.
    public func rename(to newTopics: StatusTopics) {
        guard newTopics != topics else { return }
        client.publish(topics.status, StatusTopics.offline, qos: 1, retain: true)
        client.publish(topics.state, [], qos: 1, retain: true)
        topics = newTopics
    }

    /// Publishes `offline` (retained) before a clean shutdown: the will covers only crashes.
    public func publishOffline() {
        task?.cancel()
        client.publish(topics.status, StatusTopics.offline, qos: 1, retain: true)
    }
}
