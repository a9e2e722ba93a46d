import Testing
@testable import Network

/// `wifi.*` checked once, and the wpa_supplicant configuration made from it.
@Suite("Wi-Fi settings")
struct WifiSettingsTests {
    @Test func aPassphraseMakesAQuotedPSKAndTheSSIDGoesAsHex() throws {
        let settings = try #require(try WifiSettings.checked(ssid: "Café \"net\"", psk: "correct horse battery", country: "DE", hidden: false))
        let config = settings.supplicantConfig(controlDirectory: "/run/switchyard/wpa")
        #expect(config.contains("ctrl_interface=DIR=/run/switchyard/wpa GROUP=0\n"))
        #expect(config.contains("country=DE\n"))
        // "Café \"net\"" in UTF-8, so neither the quote nor the é can break the line.
        #expect(config.contains("\tssid=436166c3a920226e657422\n"), "\(config)")
        #expect(config.contains("\tkey_mgmt=WPA-PSK\n\tpsk=\"correct horse battery\"\n"))
        #expect(!config.contains("scan_ssid"))
    }

    @Test func sixtyFourHexDigitsAreTheKeyItselfUnquoted() throws {
        let hex = String(repeating: "0123456789abcdef", count: 4)
        let settings = try #require(try WifiSettings.checked(ssid: "x", psk: hex, country: "GB", hidden: true))
        let config = settings.supplicantConfig(controlDirectory: "/run/w")
        #expect(config.contains("\tpsk=" + hex + "\n"))
        #expect(config.contains("\tscan_ssid=1\n"))
    }

    @Test func anEmptyPassphraseIsAnOpenNetworkAndAnEmptySSIDNoWifi() throws {
        let open = try #require(try WifiSettings.checked(ssid: "cafe", psk: "", country: "US", hidden: false))
        #expect(open.supplicantConfig(controlDirectory: "/run/w").contains("\tkey_mgmt=NONE\n"))
        #expect(try WifiSettings.checked(ssid: "", psk: "whatever-long", country: "US", hidden: false) == nil)
    }

    @Test("bad passphrases, SSIDs and countries are refused naming the key, never quoting the passphrase",
          arguments: [
              ("net", "short", "DE", "wifi.psk"),
              ("net", String(repeating: "a", count: 64 - 1) + "g", "DE", "wifi.psk"),
              ("net", String(repeating: "p", count: 65), "DE", "wifi.psk"),
              ("net", "pässwort-lang", "DE", "wifi.psk"),
              ("net", "line\nbreak-here", "DE", "wifi.psk"),
              (String(repeating: "s", count: 33), "long enough", "DE", "wifi.ssid"),
              ("net", "long enough", "de", "wifi.country"),
              ("net", "long enough", "DEU", "wifi.country"),
          ])
    func refusals(ssid: String, psk: String, country: String, key: String) {
        do {
            _ = try WifiSettings.checked(ssid: ssid, psk: psk, country: country, hidden: false)
            Issue.record("accepted \(ssid) \(country)")
        } catch {
            #expect(error.description.hasPrefix(key + ": "), "\(error.description)")
            #expect(!error.description.contains(psk), "the passphrase leaked into \(error.description)")
        }
    }

    @Test func theLimitsThemselvesAreAccepted() throws {
        #expect(try WifiSettings.checked(ssid: String(repeating: "s", count: 32), psk: "12345678", country: "DE", hidden: false) != nil)
        #expect(try WifiSettings.checked(ssid: "n", psk: String(repeating: "~", count: 63), country: "DE", hidden: false) != nil)
    }

    @Test func theDescriptionNeverHoldsThePassphrase() throws {
        let settings = try #require(try WifiSettings.checked(ssid: "home", psk: "secret-passphrase-1", country: "DE", hidden: false))
        #expect(settings.description == "ssid home, country DE, WPA2-PSK")
        #expect(!"\(settings)".contains("secret-passphrase-1"))
    }
}
