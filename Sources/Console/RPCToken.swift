import Crypto
import Runtime

/// The RPC door's token: 32 random bytes as hex in `<data dir>/rpc.token`, mode 0600, made
/// at first start and kept. A client proves it may use the door by sending it (`auth`),
/// which only a user who can read the data directory can do.
public enum RPCToken {
    /// Where the token lives in a data directory.
    public static func path(in dataDirectory: String) -> String { dataDirectory + "/rpc.token" }

    /// The well-formed token in `dataDirectory`, or nil when there is none; a file that
    /// cannot be read throws. Clients (the `bcms` CLI) read it the same way.
    public static func read(in dataDirectory: String) throws(RuntimeError) -> String? {
        guard let bytes = try FileSystem.read(path(in: dataDirectory), limit: 256) else { return nil }
        let text = String(decoding: bytes.filter { $0 != 0x0A && $0 != 0x0D }, as: UTF8.self)
        return isWellFormed(text) ? text : nil
    }

    /// The token in `dataDirectory`, made first if there is none (or the file is unusable).
    public static func loadOrCreate(in dataDirectory: String) throws(ConsoleError) -> String {
        let path = path(in: dataDirectory)
        do throws(RuntimeError) {
            if let token = try read(in: dataDirectory) { return token }
        } catch {
            throw .token(path: path, reason: error.description)
        }
        let token: String
        do throws(CryptoError) { token = Hex.encode(try SecureRandom.bytes(32)) } catch {
            throw .token(path: path, reason: error.description)
        }
        do throws(RuntimeError) {
            // A new file then a rename: a reader never sees half a token.
            try FileSystem.replaceAtomically(path: path, bytes: Array((token + "\n").utf8), mode: 0o600)
        } catch {
            throw .token(path: path, reason: error.description)
        }
        return token
    }

    /// 64 lowercase hex digits, as `loadOrCreate` writes.
    static func isWellFormed(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
    }

    /// Compares in time independent of where the first difference is, so response times
    /// do not reveal a token prefix.
    public static func matches(_ given: String, _ token: String) -> Bool {
        let a = Array(given.utf8), b = Array(token.utf8)
        var difference = UInt8(a.count == b.count ? 0 : 1)
        for index in 0..<b.count { difference |= (index < a.count ? a[index] : 0) ^ b[index] }
        return difference == 0
    }

    /// Whether `address` is an IPv4 loopback address (127.0.0.0/8).
    public static func isLoopback(_ address: String) -> Bool {
        address.hasPrefix("127.") || address == "localhost"
    }
}
