import CLI
import CSupport
import Crypto
import JSON
import Runtime
import ServiceKit
import Store
import Uplink

/// `switchyard ota keygen|push|status`: make a signing key, send a signed update to a
/// gateway over MQTT, or show a data directory's slots offline.
enum OTACommand {
    /// `ota` in the `ota` service's descriptor.
    static var command: ServiceCommand {
        ServiceCommand("ota", summary: "Firmware updates: keygen | push --file F --key K --node N | status",
                       help: help) { arguments, _ throws(UsageError) in try main(arguments) }
    }

    static let help = """
    Usage: switchyard ota keygen [--out FILE]
           switchyard ota push --file IMAGE --key FILE --node NAME [--broker HOST[:PORT]] [options]
           switchyard ota status [--data DIR]
           switchyard ota sign --file IMAGE --key FILE --node NAME [--out FILE] [push options]

    keygen  Writes an Ed25519 key pair: FILE (private, mode 0600; default ota-key) and FILE.pub.
            Put FILE.pub's hex on each gateway: `switchyard config set ota.public_keys HEX`.
    push    Signs IMAGE (a switchyard firmware binary) and sends it over MQTT to gateway NAME
            (switchyard/NAME/ota/...): manifest, then chunks at QoS 1, resending what the gateway
            reports missing after a reconnect or restart. Shows the gateway's progress and exits 0
            only when the gateway runs the new version and has committed it; 1 with the reason
            when it refused the image (signature, target, expiry, serial, architecture, version,
            SHA-256) or rolled back. The manifest is signed for NAME only, with a serial above
            the last one the gateway reports and an expiry time: it cannot be replayed at
            another gateway, nor at this one once used or expired.
    status  The slots, versions, trial state and last failure recorded in a data directory.
    sign    Signs IMAGE for gateway NAME as push would and writes it with its manifest as one
            update file (default IMAGE.update), to upload on the dashboard's Firmware card.

    Push options:
      --broker HOST[:PORT]  Broker (default localhost:1883; 8883 means TLS with the system CAs)
      --version X.Y.Z       The image's version (default: read from its version stamp)
      --force               Allow reinstalling the version the gateway runs (never an older one)
      --downgrade           Allow a version older than the one the gateway runs (signed)
      --expires DURATION    How long the manifest stays valid: seconds, or with s, m, h or d
                            (default 24h; 1m to 365d)
      --chunk-size BYTES    Bytes per chunk (default 16384)
      --timeout SECONDS     Give up without a commit after this long (default 600)
      --username USER       Broker login; the password comes from $MQTT_PASSWORD
      --client-id ID        MQTT client id (default switchyard-ota-push-<random>)
    """

    static func main(_ arguments: [String]) throws(UsageError) -> Int32 {
        let parsed = try Arguments(arguments, valued: ["--out", "--file", "--key", "--node", "--broker", "--port",
                                                       "--version", "--chunk-size", "--timeout", "--username",
                                                       "--client-id", "--data", "--expires"])
        if parsed.wantsHelp || parsed.positionals.isEmpty {
            Output.line(help)
            return parsed.wantsHelp ? 0 : 2
        }
        switch parsed.positionals[0] {
        case "keygen": return keygen(parsed)
        case "push": return try OTAPush(parsed).run()
        case "status": return status(parsed)
        case "sign": return try OTASign.run(parsed)
        default: throw UsageError("unknown action \"\(parsed.positionals[0])\": use keygen, push, sign or status")
        }
    }

    /// Writes `<out>` (the private seed, hex, mode 0600) and `<out>.pub` (the public key).
    static func keygen(_ parsed: Arguments) -> Int32 {
        let out = parsed.value("--out") ?? "ota-key"
        if access(out, F_OK) == 0 || access(out + ".pub", F_OK) == 0 {
            Output.error("switchyard ota keygen: \(out) or \(out).pub exists; move it away or pick another --out")
            return 1
        }
        do throws(CryptoError) {
            let key = try Ed25519.PrivateKey.generate()
            let publicHex = Hex.encode(key.publicKey.raw)
            do throws(RuntimeError) {
                try FileSystem.writeNew(out, Array((Hex.encode(key.seed) + "\n").utf8), mode: 0o600)
                try FileSystem.writeNew(out + ".pub", Array((publicHex + "\n").utf8), mode: 0o644)
            } catch {
                Output.error("switchyard ota keygen: \(error.description)")
                return 1
            }
            Output.line("wrote \(out) (private: keep it off the gateways) and \(out).pub")
            Output.line("on each gateway: switchyard config set ota.public_keys \(publicHex)")
            return 0
        } catch {
            Output.error("switchyard ota keygen: \(error.description)")
            return 1
        }
    }

    /// The state record of `--data`, as JSON.
    static func status(_ parsed: Arguments) -> Int32 {
        let paths = OTAPaths(dataDirectory: DataDirectory.resolve(parsed.value("--data")))
        do throws(OTAError) {
            let record = try OTAStateStore(paths: paths).load()
            var object = JSONObject()
            object.append("record", record.json)
            if let transfer = try OTARecordFile.read(paths.transfer) {
                // The manifest without its chunk digests (64 hex digits per chunk).
                var manifest = JSONObject()
                if let stored = try OTARecordFile.read(paths.manifest, limit: OTAManifest.maxPayload)?.objectValue {
                    for (name, value) in stored where name != "chunk_sha256" && name != "signature" {
                        manifest.append(name, value)
                    }
                }
                object.append("transfer", ["manifest": .object(manifest), "slot": transfer["slot"] ?? .null])
            }
            Output.line(JSONValue.object(object).prettyPrinted())
            return 0
        } catch {
            Output.error("switchyard ota status: \(error.description)")
            return 1
        }
    }

    /// A key file's private key: 64 hex digits (whitespace around them ignored).
    static func loadKey(_ path: String) -> Ed25519.PrivateKey? {
        guard let bytes = try? FileSystem.read(path, limit: 256) else { return nil }
        let text = String(decoding: bytes.filter { $0 > 0x20 }, as: UTF8.self)
        guard let seed = try? Hex.decode(text) else { return nil }
        return try? Ed25519.PrivateKey(seed: seed)
    }
}
