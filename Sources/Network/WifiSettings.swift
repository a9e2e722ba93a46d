import Runtime

/// The `wifi.*` settings, checked once, and the wpa_supplicant configuration they make.
/// The passphrase stays inside this value and the file it writes (mode 0600): `description`
/// and every error name the key, never the secret.
struct WifiSettings: Equatable, CustomStringConvertible {
    /// The network's name, 1 to 32 bytes of anything (IEEE 802.11 allows any bytes).
    let ssid: [UInt8]
    /// A passphrase (8..63 printable ASCII) or 64 hex digits (the PSK itself); empty: open.
    let psk: String
    /// ISO 3166 alpha-2, upper case.
    let country: String
    let hidden: Bool

    /// Checks the settings; an empty SSID is not an error but no Wi-Fi (`nil`).
    static func checked(ssid: String, psk: String, country: String, hidden: Bool) throws(NetworkError) -> WifiSettings? {
        let ssidBytes = Array(ssid.utf8)
        if ssidBytes.isEmpty { return nil }
        guard ssidBytes.count <= 32 else {
            throw .badWifiSetting(key: "wifi.ssid", reason: "at most 32 bytes")
        }
        guard !ssidBytes.contains(0) else { throw .badWifiSetting(key: "wifi.ssid", reason: "no NUL bytes") }
        try checkPSK(psk)
        let countryBytes = Array(country.utf8)
        guard countryBytes.count == 2, countryBytes.allSatisfy({ $0 >= 0x41 && $0 <= 0x5A }) else {
            throw .badWifiSetting(key: "wifi.country", reason: "expected two upper-case letters (ISO 3166 alpha-2, e.g. DE)")
        }
        return WifiSettings(ssid: ssidBytes, psk: psk, country: country, hidden: hidden)
    }

    /// WPA2-PSK: a passphrase of 8 to 63 ASCII characters 32..126 (IEEE 802.11i annex H.4),
    /// or the 256-bit PSK as 64 hex digits. The reason never quotes the value.
    static func checkPSK(_ psk: String) throws(NetworkError) {
        let bytes = Array(psk.utf8)
        if bytes.isEmpty { return }
        if bytes.count == 64 {
            guard bytes.allSatisfy(isHexDigit) else {
                throw .badWifiSetting(key: "wifi.psk", reason: "64 characters must be hex digits (a raw PSK); a passphrase has 8 to 63")
            }
            return
        }
        guard bytes.count >= 8 && bytes.count <= 63 else {
            throw .badWifiSetting(key: "wifi.psk", reason: "a passphrase has 8 to 63 characters (or 64 hex digits)")
        }
        guard bytes.allSatisfy({ $0 >= 0x20 && $0 <= 0x7E }) else {
            throw .badWifiSetting(key: "wifi.psk", reason: "a passphrase is printable ASCII only")
        }
    }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x46) || (byte >= 0x61 && byte <= 0x66)
    }

    /// The SSID for people, as UTF-8 (a byte that is not becomes U+FFFD).
    var ssidText: String {
        String(decoding: ssid, as: UTF8.self)
    }

    /// Never the passphrase.
    var description: String {
        "ssid " + ssidText + ", country " + country + (psk.isEmpty ? ", open" : ", WPA2-PSK") + (hidden ? ", hidden" : "")
    }

    /// wpa_supplicant's configuration: its control socket under `controlDirectory` (for the
    /// gateway alone: group 0), the country, one network. The SSID goes as hex so no byte of
    /// it can end the line or the quotes; the passphrase is printable ASCII without a line
    /// end (checked), and wpa_supplicant takes a quoted value up to its last quote.
    func supplicantConfig(controlDirectory: String) -> String {
        var text = "# Written by switchyard's network service from wifi.*; rewritten at every save.\n"
        text += "ctrl_interface=DIR=" + controlDirectory + " GROUP=0\n"
        text += "update_config=0\n"
        text += "country=" + country + "\n"
        text += "network={\n"
        text += "\tssid=" + Hex.encode(ssid) + "\n"
        if hidden { text += "\tscan_ssid=1\n" }
        if psk.isEmpty {
            text += "\tkey_mgmt=NONE\n"
        } else {
            text += "\tkey_mgmt=WPA-PSK\n"
            text += psk.utf8.count == 64 ? "\tpsk=" + psk + "\n" : "\tpsk=\"" + psk + "\"\n"
        }
        text += "}\n"
        return text
    }
}
