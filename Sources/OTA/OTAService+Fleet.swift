import Crypto
import JSON
import Runtime
import ServiceKit

/// The gateway's side of a fleet (issue 30): the retained group manifest and the retained
/// chunks of its image, both under `switchyard/fleet/<ota.group>/`.
extension OTAService {
    /// A manifest from the group topic. It is retained, so it comes again on every connect
    /// and restart, and most of the time it is not for us (another wave, an image we already
    /// took): such copies are ignored quietly, counted, and never published as refusals.
    /// One that is for us goes the way of a node manifest, refusals included.
    func handleFleetManifest(_ payload: [UInt8]) {
        // An empty retained message is how a campaign withdraws its manifest.
        guard !payload.isEmpty, let fleet else { return }
        let manifest: OTAManifest
        do throws(OTAError) { manifest = try OTAManifest.parse(payload) } catch {
            stats.fleetIgnored += 1
            notices.warning("fleet", "fleet manifest ignored: " + error.description)
            return
        }
        guard case .group(let name) = manifest.target, name == fleet.group else {
            stats.fleetIgnored += 1
            return
        }
        // Not this gateway's turn (a wave without it, another board, too old to update from).
        if manifest.audience.excludes(node: context.node, board: board, running: runningVersion) != nil {
            stats.fleetIgnored += 1
            return
        }
        // The copy of a manifest already taken (or of an older one): the serial is spent.
        // The transfer in progress is the exception: its manifest says to carry on.
        if manifest.serial <= lastSerial && receiver?.transfer?.manifest.digestHex != manifest.digestHex {
            stats.fleetIgnored += 1
            return
        }
        receiver?.board = board
        handleManifest(payload)
    }

    /// This gateway's board, as the `state` heartbeat names it (read only for a group manifest).
    var board: String { context.gatewayState()["board"]?.stringValue ?? "" }

    /// Subscribes to the retained chunks of the group transfer in progress, or drops that
    /// subscription when there is none to receive (done, checking, given up).
    func syncFleetChunks() {
        var wanted: OTATopics? = nil
        if let fleet, isReceiving, let transfer = receiver?.transfer, case .group = transfer.manifest.target {
            wanted = transfer.usesDelta ? fleet.delta(base: transfer.manifest.delta?.baseHex ?? "",
                                                      image: transfer.manifest.digestHex)
                : fleet.image(transfer.manifest.digestHex)
        }
        if let current = fleetChunks, current.topics != wanted { dropFleetChunks() }
        guard let wanted, fleetChunks == nil else { return }
        let token = context.subscribe(wanted.chunkFilter, qos: 1) { [self] message in self.handleChunk(message) }
        fleetChunks = (wanted, token)
    }

    func dropFleetChunks() {
        guard let current = fleetChunks else { return }
        context.unsubscribe(current.token)
        fleetChunks = nil
    }
}
