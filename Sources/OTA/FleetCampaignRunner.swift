import CLI
import CSupport
import Crypto
import JSON
import Runtime
import ServiceKit
import Uplink

/// The waves of a fleet campaign (issue 30), driven from the broker's retained topics:
/// gathers the inventory, resumes or starts the campaign, lays the image out in retained
/// chunks, then signs and retains one manifest per wave, each naming the nodes so far, and
/// moves on when every online node of the wave has committed. Halts, withdrawing the
/// manifest, when failures pass the threshold or a wave takes too long.
final class FleetCampaignRunner {
    enum Phase: Equatable {
        case gathering, uploading, wave, finished
    }

    let key: Ed25519.PrivateKey
    let image: OTAImageFile
    /// The manifest's delta, laid out beside the image.
    let patch: [UInt8]?
    let deltaTopics: OTATopics?
    let validity: Int
    let waves: [Int]
    let maxFailures: Int
    let waveTimeout: Interval
    let startOver: Bool
    let client: MQTTClient
    let loop: EventLoop
    let topics: FleetTopics
    let chunkTopics: OTATopics
    var manifest: OTAManifest
    var onFinish: ((Int32) -> Void)?

    /// How long to wait, after the subscriptions are granted, for the retained messages.
    static let settle = Interval.milliseconds(800)
    /// Chunks in flight at most while laying the image out.
    static let window = 32

    private(set) var phase = Phase.gathering
    private var inventory = FleetInventory()
    private var granted = 0
    private var retainedCampaign: FleetCampaign?
    private var lastMessageAt: Instant
    private var campaign: FleetCampaign
    private var members: [String] = []
    private var nextChunk = 0
    private var waveStartedAt: Instant
    private var shown: [String: String] = [:]
    private var lastTableAt = Instant(nanoseconds: 0)
    private var tick: FixedRateTask?
    private let terminal = isatty(1) == 1

    init(manifest: OTAManifest, key: Ed25519.PrivateKey, image: OTAImageFile, patch: [UInt8]?, validity: Int, waves: [Int],
         maxFailures: Int, waveTimeout: Interval, startOver: Bool, client: MQTTClient, loop: EventLoop) {
        self.manifest = manifest
        self.key = key
        self.image = image
        self.patch = patch
        self.validity = validity
        self.waves = waves
        self.maxFailures = maxFailures
        self.waveTimeout = waveTimeout
        self.startOver = startOver
        self.client = client
        self.loop = loop
        guard case .group(let group) = manifest.target else { preconditionFailure("a fleet manifest targets a group") }
        topics = FleetTopics(group: group)
        chunkTopics = topics.image(manifest.digestHex)
        let fleetTopics = FleetTopics(group: group)
        if let delta = manifest.delta {
            deltaTopics = fleetTopics.delta(base: delta.baseHex, image: manifest.digestHex)
        } else {
            deltaTopics = nil
        }
        campaign = FleetCampaign(sha256: manifest.digestHex, version: manifest.version.description, waves: waves)
        lastMessageAt = loop.clock.now()
        waveStartedAt = loop.clock.now()
    }

    func start() {
        for filter in FleetTopics.inventoryFilters + [topics.campaign] {
            _ = client.subscribe(filter, qos: 1, acknowledged: { [self] grant in
                if grant.isGranted { self.granted += 1 } else {
                    Output.error("switchyard fleet rollout: the broker refused the subscription to " + filter)
                    self.finish(1)
                }
            }) { [self] message in self.handle(message) }
        }
        tick = loop.addTask("fleet.rollout", every: .milliseconds(100)) { [self] in self.onTick() }
    }

    func finish(_ status: Int32) {
        guard phase != .finished else { return }
        phase = .finished
        tick?.cancel()
        tick = nil
        onFinish?(status)
    }

    private func handle(_ message: MQTTMessage) {
        lastMessageAt = loop.clock.now()
        if message.topic == topics.campaign {
            retainedCampaign = FleetCampaign.parse(message.payload)
            return
        }
        inventory.ingest(topic: message.topic, payload: message.payload)
    }

    private func onTick() {
        switch phase {
        case .gathering:
            guard client.isConnected, granted == FleetTopics.inventoryFilters.count + 1,
                  loop.clock.now() - lastMessageAt > FleetCampaignRunner.settle else { return }
            begin()
        case .uploading:
            upload()
        case .wave:
            follow()
        case .finished:
            break
        }
    }

    /// Decides the members and whether this resumes a campaign, then starts laying out chunks.
    private func begin() {
        members = inventory.list(group: topics.group).map { $0.node }
        guard !members.isEmpty else {
            Output.error("switchyard fleet rollout: no gateway reports group " + topics.group
                + " (set ota.group on them; `switchyard fleet status` lists what reports)")
            finish(1)
            return
        }
        if let retained = retainedCampaign, retained.sha256 == manifest.digestHex {
            switch retained.phase {
            case .done:
                Output.line("the campaign of " + retained.version + " in group " + topics.group + " is already done")
                finish(0)
                return
            case .halted where !startOver:
                Output.error("switchyard fleet rollout: the campaign of " + retained.version + " was halted: "
                    + retained.reason + " (add --force to start it over)")
                finish(3)
                return
            case .halted:
                campaign.serial = retained.serial
            case .running:
                campaign = retained
                campaign.waves = retained.waves
                Output.line("resuming the campaign at wave " + String(campaign.wave + 1) + " of "
                    + String(campaign.waves.count))
            }
        } else if let retained = retainedCampaign {
            campaign.serial = retained.serial
        }
        Output.line(String(members.count) + " gateways in group " + topics.group + ": waves "
            + campaign.waves.map { String($0) + "%" }.joined(separator: ", ") + ", halting above "
            + String(maxFailures) + "% failed")
        phase = .uploading
    }

    /// Publishes the chunks retained, a window at a time; the first wave starts once the
    /// broker holds them all.
    private func upload() {
        guard client.isConnected else { return }
        let patchChunks = manifest.delta.map { ($0.size + manifest.chunkSize - 1) / manifest.chunkSize } ?? 0
        let total = manifest.chunkCount + patchChunks
        while nextChunk < total && client.inflightCount + client.outbox.count < FleetCampaignRunner.window {
            if nextChunk < manifest.chunkCount {
                client.publish(chunkTopics.chunk(nextChunk), image.chunk(nextChunk, chunkSize: manifest.chunkSize), qos: 1,
                               retain: true)
            } else if let patch, let deltaTopics {
                let index = nextChunk - manifest.chunkCount
                let start = index * manifest.chunkSize
                client.publish(deltaTopics.chunk(index), Array(patch[start..<min(patch.count, start + manifest.chunkSize)]),
                               qos: 1, retain: true)
            }
            nextChunk += 1
        }
        guard nextChunk == total, client.inflightCount + client.outbox.count == 0 else { return }
        Output.line("image retained in " + String(manifest.chunkCount) + " chunks on " + chunkTopics.base + "/chunk/+")
        if let deltaTopics { Output.line("delta retained in " + String(patchChunks) + " chunks on " + deltaTopics.base + "/chunk/+") }
        startWave()
    }

    /// The nodes of the current wave: the first of the members by name, up to its share,
    /// without those that failed; the last wave of 100% names nobody, which is the whole
    /// group, members that never reported yet included.
    private var waveNodes: [String] {
        let count = campaign.size(ofWave: campaign.wave, members: members.count)
        return Array(members.prefix(count))
    }

    private func startWave() {
        let isLast = campaign.wave == campaign.waves.count - 1
        var nodes = waveNodes.filter { !campaign.failed.contains($0) }
        if isLast && campaign.waves[campaign.wave] == 100 { nodes = [] }
        // A gateway refuses a manifest naming more nodes than this: such a wave goes to everyone.
        if nodes.count > OTAAudience.maxNodes {
            halt("wave " + String(campaign.wave + 1) + " names " + String(nodes.count) + " gateways, more than the "
                + String(OTAAudience.maxNodes) + " a manifest may name: use fewer, smaller waves or 100%")
            return
        }
        let now = Int(WallClock.millisecondsSinceEpoch())
        campaign.serial = min(OTAManifest.maxSerial, max(now, campaign.serial + 1))
        manifest.serial = campaign.serial
        manifest.expires = min(OTAManifest.maxExpires, max(now, campaign.serial) / 1000 + validity)
        manifest.audience.nodes = nodes
        manifest = manifest.signed(by: key)
        client.publish(topics.manifest, Array(manifest.json.serialized().utf8), qos: 1, retain: true)
        saveCampaign()
        waveStartedAt = loop.clock.now()
        phase = .wave
        let who = nodes.isEmpty ? "the whole group" : nodes.joined(separator: ", ")
        Output.line("wave " + String(campaign.wave + 1) + "/" + String(campaign.waves.count)
            + (campaign.wave == 0 ? " (canary)" : "") + ", " + String(campaign.waves[campaign.wave]) + "%: " + who)
    }

    /// What a node made of the image so far.
    private enum Outcome { case pending, offline, committed, failed }

    private func outcome(_ node: String) -> Outcome {
        if campaign.committed.contains(node) { return .committed }
        if campaign.failed.contains(node) { return .failed }
        guard let member = inventory.members[node] else { return .pending }
        if member.updateSHA256 == manifest.digestHex {
            switch member.update {
            case "committed": return .committed
            case "rolled_back", "refused", "failed": return .failed
            default: break
            }
        }
        // Offline while working on our image is a restart into it (or a crash): wait for it.
        // Offline without having touched it: it takes the retained manifest when it returns.
        return member.online == false && member.updateSHA256 != manifest.digestHex ? .offline : .pending
    }

    private func follow() {
        let nodes = waveNodes
        var pending: [String] = []
        for node in nodes {
            let result = outcome(node)
            switch result {
            case .committed where !campaign.committed.contains(node):
                campaign.committed.append(node)
                saveCampaign()
            case .failed where !campaign.failed.contains(node):
                campaign.failed.append(node)
                saveCampaign()
            case .pending:
                pending.append(node)
            default:
                break
            }
            show(node, result)
        }
        showTable()
        if campaign.failed.count * 100 > maxFailures * members.count {
            halt(String(campaign.failed.count) + " of " + String(members.count) + " gateways failed ("
                + campaign.failed.joined(separator: ", ") + "), more than " + String(maxFailures) + "%")
            return
        }
        if !pending.isEmpty {
            if loop.clock.now() - waveStartedAt > waveTimeout {
                halt("wave " + String(campaign.wave + 1) + " did not finish in time; waiting for "
                    + pending.joined(separator: ", "))
            }
            return
        }
        if campaign.wave + 1 < campaign.waves.count {
            campaign.wave += 1
            startWave()
            return
        }
        campaign.phase = .done
        saveCampaign()
        let offline = nodes.filter { outcome($0) == .offline }
        Output.line("done: " + String(campaign.committed.count) + " of " + String(members.count) + " gateways run "
            + campaign.version + ", " + String(campaign.failed.count) + " failed"
            + (offline.isEmpty ? "" : "; offline, updating when they return: " + offline.joined(separator: ", ")))
        finish(0)
    }

    private func halt(_ reason: String) {
        campaign.phase = .halted
        campaign.reason = reason
        saveCampaign()
        // Withdrawn, so nobody else starts it; the nodes that have it keep it or roll back.
        client.publish(topics.manifest, [], qos: 1, retain: true)
        Output.error("switchyard fleet rollout: halted: " + reason)
        finish(3)
    }

    private func saveCampaign() {
        client.publish(topics.campaign, Array(campaign.json.serialized().utf8), qos: 1, retain: true)
    }

    /// One line per change of a node (logs, CI); on a terminal the table is redrawn too.
    private func show(_ node: String, _ result: Outcome) {
        let member = inventory.members[node]
        var word = member?.update ?? "?"
        switch result {
        case .committed: word = "committed"
        case .failed: word = "failed (" + (member?.update ?? "") + ": " + (member?.updateReason ?? "") + ")"
        case .offline: word = "offline"
        case .pending: break
        }
        guard shown[node] != word else { return }
        shown[node] = word
        if !terminal { Output.line("  " + node + ": " + word) }
    }

    private func showTable() {
        guard terminal, loop.clock.now() - lastTableAt > .seconds(1) else { return }
        lastTableAt = loop.clock.now()
        var text = "\u{1B}[H\u{1B}[2J" + "campaign " + campaign.version + " in group " + topics.group + ": wave "
            + String(campaign.wave + 1) + "/" + String(campaign.waves.count) + ", " + String(campaign.committed.count)
            + " committed, " + String(campaign.failed.count) + " failed\n"
        let list = inventory.list(group: topics.group)
        for line in FleetTable.lines(list, note: { [self] member in
            self.waveNodes.contains(member.node) ? " *" : ""
        }) { text += line + "\n" }
        try? FileDescriptor.standardOutput.writeAll(text)
    }
}
