import CLI
import CSupport
import Crypto
import Runtime
import ServiceKit
import Uplink

/// `switchyard ota push`: signs an image and sends it to one gateway, showing the gateway's
/// progress, and exits 0 only once the gateway runs the image and has committed it.
struct OTAPush {
    let file: String
    let keyPath: String
    let node: String
    let broker: OTABroker
    let version: String?
    let chunkSize: Int
    let force: Bool
    let downgrade: Bool
    /// Seconds the signed manifest stays valid.
    let validity: Int
    let timeoutSeconds: Int

    init(_ parsed: Arguments) throws(UsageError) {
        let release = try OTAReleaseOptions(parsed, action: "push", defaultChunkSize: OTAManifest.defaultChunkSize,
                                            defaultExpiry: "24h")
        guard let node = parsed.value("--node") else { throw UsageError("push needs --node NAME (the gateway's node.name)") }
        file = release.file
        keyPath = release.keyPath
        self.node = node
        broker = try OTABroker(parsed, clientPrefix: "switchyard-ota-push-")
        version = release.version
        chunkSize = release.chunkSize
        force = parsed.has("--force")
        downgrade = parsed.has("--downgrade")
        validity = release.validity
        let timeoutText = parsed.value("--timeout") ?? "600"
        guard let timeout = Int(timeoutText), timeout > 0 && timeout <= 7 * 86400 else {
            throw UsageError("--timeout \(timeoutText): seconds, 1 to \(7 * 86400)")
        }
        timeoutSeconds = timeout
    }

    func run() -> Int32 {
        guard let input = OTAReleaseInput(command: "ota push", file: file, keyPath: keyPath, version: version,
                                          chunkSize: chunkSize) else { return 1 }
        let key = input.key, image = input.image, architecture = input.architecture
        let parsedVersion = input.version, versionText = input.versionText
        // Serial and expiry are set when the sender signs, once it has heard the gateway.
        let manifest = OTAManifest(version: parsedVersion, architecture: architecture, size: image.size,
                                   sha256: image.sha256, chunkSize: chunkSize,
                                   chunkDigests: image.chunkDigests(chunkSize: chunkSize), target: .node(node),
                                   serial: 0, expires: 0, force: force, downgrade: downgrade)

        let signals: SignalEvents
        let loop: EventLoop
        let client: MQTTClient
        do throws(RuntimeError) {
            signals = try SignalEvents()
            loop = try EventLoop()
        } catch {
            Output.error("switchyard ota push: \(error.description)")
            return 1
        }
        do throws(UplinkError) {
            client = try broker.client(named: "ota-push", on: loop)
        } catch {
            Output.error("switchyard ota push: mqtt: \(error.description)")
            return 1
        }
        Output.line("pushing \(file): version \(versionText), \(architecture), \(image.size) bytes in "
            + "\(manifest.chunkCount) chunks, sha256 \(manifest.digestHex) to \(node) via \(broker.description)")
        let sender = OTASender(manifest: manifest, key: key, validity: validity, image: image, port: client, loop: loop,
                               node: node, backlog: { client.inflightCount + client.outbox.count })
        let progress = ProgressLine()
        var exitStatus: Int32 = 1
        var stopping = false
        func stop(_ status: Int32) {
            guard !stopping else { return }
            stopping = true
            exitStatus = status
            sender.stop()
            client.stop(grace: .seconds(1)) { loop.stop() }
        }
        sender.onStatus = { status in progress.show(status) }
        sender.onFinish = { outcome in
            progress.end()
            switch outcome {
            case .committed:
                Output.line("\(node) runs \(versionText) and has committed it (sent \(sender.chunksSent) chunks, "
                    + "\(sender.needsAnswered) missing-chunk requests answered)")
                stop(0)
            case .failed(let reason):
                Output.error("switchyard ota push: \(node): \(reason)")
                stop(1)
            }
        }
        loop.after(.seconds(Int64(timeoutSeconds))) {
            progress.end()
            Output.error("switchyard ota push: no commit from \(node) within \(timeoutSeconds) s "
                + "(is ota.enabled on and the gateway online? see its ota/status topic)")
            stop(1)
        }
        loop.handleSignals(signals) { _ in
            progress.end()
            Output.error("switchyard ota push: interrupted; pushing again resumes where the gateway stands")
            stop(130)
        }
        sender.start()
        client.start()
        do throws(RuntimeError) { try loop.run() } catch {
            Output.error("switchyard ota push: \(error.description)")
            return 1
        }
        return exitStatus
    }

    /// Seconds in `text`: a number, optionally followed by s, m, h or d; nil when it is not one
    /// or is beyond 10 years (so nothing it is used in can overflow).
    static func duration(_ text: String) -> Int? {
        var digits = Array(text.utf8)
        var unit = 1
        switch digits.last {
        case UInt8(ascii: "s"): unit = 1
        case UInt8(ascii: "m"): unit = 60
        case UInt8(ascii: "h"): unit = 3600
        case UInt8(ascii: "d"): unit = 86400
        default: break
        }
        if let last = digits.last, last < 0x30 || last > 0x39 { digits.removeLast() }
        guard !digits.isEmpty, digits.count <= 9, digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        var number = 0
        for digit in digits { number = number * 10 + Int(digit - 0x30) }
        let seconds = number * unit
        return seconds <= 10 * 365 * 86400 ? seconds : nil
    }
}

/// The progress bar on standard error: redrawn in place on a terminal, one line per state
/// or 10 % step otherwise (logs, CI).
final class ProgressLine {
    private let terminal = isatty(2) == 1
    private var lastState = ""
    private var lastPercent = -1
    private var open = false

    func show(_ status: OTAStatus) {
        let step = status.percent / 10
        guard status.state.name != lastState || (terminal ? status.percent != lastPercent : step != lastPercent / 10) else { return }
        lastState = status.state.name
        lastPercent = status.percent
        let filled = status.percent * 30 / 100
        var bar = ""
        for index in 0..<30 { bar += index < filled ? "#" : "." }
        let line = "[" + bar + "] " + String(status.percent) + "% " + status.state.name
            + (status.reason.isEmpty ? "" : ": " + status.reason)
        if terminal {
            try? FileDescriptor.standardError.writeAll("\r" + line + "\u{1B}[K")
            open = true
        } else {
            Output.error(line)
        }
    }

    func end() {
        if open { try? FileDescriptor.standardError.writeAll("\n") }
        open = false
    }
}
