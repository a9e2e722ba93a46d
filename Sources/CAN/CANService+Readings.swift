import Runtime
import ServiceKit

/// The bus as a person reads it: its state and frames/s each way.
extension CANService {
    public var readings: [ReadingGroup] {
        guard let tunnel else { return [] }
        frameRates.update(now: context.clock.now(), received: tunnel.stats.framesFromBus, sent: tunnel.stats.framesToBus)
        return [ReadingGroup(id: tunnel.bus.name, title: tunnel.bus.name, badges: [tunnel.settings.topics.mode.name], readings: [
            .text("bus_state", "Bus", tunnel.state.name),
            .number("rx_rate", "Received", (frameRates.receivedPerSecond * 10).rounded() / 10, unit: "frames/s", trend: true),
            .number("tx_rate", "Sent", (frameRates.sentPerSecond * 10).rounded() / 10, unit: "frames/s", trend: true),
            .number("rx_total", "Frames received", Double(tunnel.stats.framesFromBus), unit: ""),
        ] + tunnel.recentFrames.frames.map { frame in
            // candump's `123#DEADBEEF`, split at the first '#': the id names it, the rest is the data.
            let text = frame.description
            let cut = text.firstIndex(of: "#") ?? text.endIndex
            let id = String(text[..<cut])
            return .text("id_" + id, "ID " + id, cut < text.endIndex ? String(text[text.index(after: cut)...]) : "")
        })]
    }
}
