import Console
import Runtime
import ServiceKit
import Store
import Uplink

/// `node.name` applies without a restart: the name is in every topic, so a change moves
/// the status, state and command topics, the uplink's will and client id, and every
/// service's topics and discovery, and leaves `offline` on the old status topic.
extension Gateway {
    /// Schedules the move when the saved or reloaded name differs from the one in use. On the
    /// next loop pass: a `save` may come from the command topics themselves, whose bridge the
    /// move replaces.
    func nodeNameChanged() {
        guard store.string(StandardKeys.nodeName) != node else { return }
        _ = loop.after(.zero) { [self] in self.applyNodeName() }
    }

    /// Moves everything under `switchyard/<new name>`.
    func applyNodeName() {
        let wanted = store.string(StandardKeys.nodeName)
        guard wanted != node else { return }
        let old = node
        node = wanted
        let topics = StatusTopics(node: wanted)
        status.rename(to: topics)
        commandTopics?.stop()
        commandTopics = CommandTopicBridge(port: uplink, registry: commands, topics: topics, loop: loop,
                                           allowsPrivileged: store.boolean(StandardKeys.commandsAllowPrivileged))
        commandTopics?.start()
        services.rename(node: wanted, topicPrefix: topics.base)
        // The will names the status topic and the default client id the node: a new session.
        do throws(UplinkError) {
            var settings = try MQTTSettings.local(from: store, node: wanted)
            settings.will = StatusPublisher.will(for: topics)
            try uplink.apply(settings)
        } catch {
            log.error("node renamed, but the uplink keeps its old will and client id: " + error.description)
        }
        log.info("node.name " + old + " -> " + wanted + ": topics now under " + topics.base)
        status.changed()
    }
}
