import CSupport
import Crypto
import JSON
import OTA
import Runtime
import ServiceKit
import Store
import Uplink

/// `switchyard ota keygen|push|status`: make a signing key, send a signed update to a
/// gateway over MQTT, or show a data directory's slots offline.
enum OTACommand {
    static func main(_ arguments: [String]) throws(UsageError) -> Int32 {
        let parsed = try Arguments(arguments, valued: ["--out", "--file", "--key", "--node", "--broker", "--port",
                                                       "--version", "--chunk-size", "--timeout", "--username",
                                                       "--client-id", "--data", "--expires"])
        if parsed.wantsHelp || parsed.positionals.isEmpty {
            Output.line(HelpText.ota)
            return parsed.wantsHelp ? 0 : 2
        }
        switch parsed.positionals[0] {
        case "keygen": return keygen(parsed)
        case "push": return try OTAPush(parsed).run()
        case "status": return status(parsed)
        default: throw UsageError("unknown action \"\(parsed.positionals[0])\": use keygen, push or status")
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
