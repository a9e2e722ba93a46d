import CBluetooth
import CSerialPort
import CSocketCAN
import Crypto
import HTTPClient
import Runtime
import Uplink
import Web

/// Selftest checks that the C libraries linked into this binary initialise and work.
enum LibrarySelftests {
    static func openssl() -> SelftestOutcome {
        let digest = Hex.encode(SHA256.hash(Array("abc".utf8)))
        guard digest == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" else {
            return .failed("SHA-256(\"abc\") came out as \(digest)")
        }
        // RFC 8032 7.1 test 2: OTA manifests need Ed25519, which a lean libcrypto could lack.
        let seed = "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb"
        guard let key = try? Ed25519.PrivateKey(seed: Hex.decode(seed)) else {
            return .failed("libcrypto refuses Ed25519 keys (built without Ed25519?)")
        }
        let signature = key.sign([0x72])
        guard Hex.encode(signature).hasPrefix("92a009a9f0d4cab8"), key.publicKey.verify(signature, of: [0x72]) else {
            return .failed("Ed25519 RFC 8032 vector does not match")
        }
        return .passed("\(CryptoLibrary.version), SHA-256 and Ed25519 vectors match")
    }

    static func mosquitto() -> SelftestOutcome {
        guard MosquittoLibrary.initialise() else { return .failed("mosquitto_lib_init failed") }
        return .passed("libmosquitto \(MosquittoLibrary.version) initialised")
    }

    static func curl() -> SelftestOutcome {
        guard CurlLibrary.initialise() else { return .failed("curl_global_init failed") }
        guard CurlLibrary.supportsHTTPS else { return .failed("libcurl \(CurlLibrary.version) has no TLS") }
        return .passed("libcurl \(CurlLibrary.version) initialised, HTTPS available")
    }

    static func microhttpd() -> SelftestOutcome {
        if let problem = WebSelftest.run() { return .failed(problem) }
        return .passed("libmicrohttpd served a request on loopback from our run loop (epoll, no thread)")
    }

    /// Touches libserialport, libbluetooth and libsocketcan so a broken link shows up here
    /// rather than the first time a device appears.
    static func deviceLibraries() -> SelftestOutcome {
        var ports: UnsafeMutablePointer<OpaquePointer?>? = nil
        guard sp_list_ports(&ports) == SP_OK else { return .failed("sp_list_ports failed") }
        var portCount = 0
        while let list = ports, list[portCount] != nil { portCount += 1 }
        sp_free_port_list(ports)

        var address = bdaddr_t(b: (0x66, 0x55, 0x44, 0x33, 0x22, 0x11))
        var text = [CChar](repeating: 0, count: 18)
        ba2str(&address, &text)
        let shown = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard shown == "11:22:33:44:55:66" else { return .failed("ba2str gave \(shown)") }

        // The loopback interface exists everywhere but is no CAN device: libsocketcan must
        // answer with an error (a missing interface would also work, but it prints to stderr).
        var state: Int32 = 0
        let canResult = can_get_state("lo", &state)
        guard canResult != 0 else { return .failed("can_get_state succeeded on the loopback interface") }

        let serialVersion = String(cString: sp_get_lib_version_string())
        return .passed("libserialport \(serialVersion) (\(portCount) ports), libbluetooth, libsocketcan")
    }
}
