import Testing
@testable import Network

/// wpa_supplicant's control-socket texts, as wpa_supplicant 2.10 writes them.
@Suite("wpa_supplicant messages")
struct WpaMessageTests {
    @Test func eventsAreToldFromReplies() {
        #expect(WpaMessage.isEvent("<3>CTRL-EVENT-CONNECTED - Connection to 02:00:00:00:01:00 completed [id=0 id_str=]"))
        #expect(!WpaMessage.isEvent("OK\n"))
        #expect(!WpaMessage.isEvent("wpa_state=COMPLETED\n"))
    }

    @Test func theEventsTheLinkActsOn() {
        #expect(WpaMessage.event("<3>CTRL-EVENT-CONNECTED - Connection to 02:00:00:00:01:00 completed [id=0 id_str=]") == .connected)
        #expect(WpaMessage.event("<3>CTRL-EVENT-DISCONNECTED bssid=02:00:00:00:01:00 reason=15") == .disconnected(reason: 15))
        #expect(WpaMessage.event("<3>CTRL-EVENT-SSID-TEMP-DISABLED id=0 ssid=\"home\" auth_failures=1 duration=10 reason=WRONG_KEY") == .wrongKey)
        #expect(WpaMessage.event("<3>CTRL-EVENT-SSID-TEMP-DISABLED id=0 ssid=\"home\" auth_failures=2 duration=20 reason=CONN_FAILED")
                == .temporarilyDisabled(reason: "CONN_FAILED"))
        #expect(WpaMessage.event("<3>WPA: 4-Way Handshake failed - pre-shared key may be incorrect") == .wrongKey)
        #expect(WpaMessage.event("<3>CTRL-EVENT-NETWORK-NOT-FOUND") == .networkNotFound)
        #expect(WpaMessage.event("<3>CTRL-EVENT-SCAN-RESULTS ") == .scanResults)
        #expect(WpaMessage.event("<2>CTRL-EVENT-BSS-ADDED 0 02:00:00:00:01:00") == .other)
        #expect(WpaMessage.event("<") == .other)
        #expect(WpaMessage.event("<3") == .other)
    }

    @Test func statusPairsAndALineWithoutEqualsCounted() {
        let parsed = WpaMessage.pairs("bssid=02:00:00:00:01:00\nssid=a=b\nwpa_state=COMPLETED\ngarbage\n=x\n")
        #expect(parsed.pairs.map { $0.key } == ["bssid", "ssid", "wpa_state"])
        #expect(parsed.pairs[1].value == "a=b")
        #expect(parsed.dropped == 2)
    }

    @Test func scanResultsRowsAndMalformedRowsCounted() {
        let text = "bssid / frequency / signal level / flags / ssid\n"
            + "02:00:00:00:01:00\t2412\t-42\t[WPA2-PSK-CCMP][ESS]\thome\n"
            + "02:00:00:00:02:00\t5180\t-80\t[ESS]\t\n"
            + "02:00:00:00:03:00\tx\t-80\t[ESS]\tbad\n"
            + "short\trow\n"
        let parsed = WpaMessage.scanResults(text)
        #expect(parsed.entries == [
            WpaMessage.ScanEntry(bssid: "02:00:00:00:01:00", frequency: 2412, signal: -42, flags: "[WPA2-PSK-CCMP][ESS]", ssid: "home"),
            WpaMessage.ScanEntry(bssid: "02:00:00:00:02:00", frequency: 5180, signal: -80, flags: "[ESS]", ssid: ""),
        ])
        #expect(parsed.dropped == 2)
    }
}
