/// What wpa_supplicant says on its control socket, parsed once. Replies are `key=value`
/// lines (STATUS, SIGNAL_POLL), a tab-separated table (SCAN_RESULTS) or `OK`/`FAIL`;
/// unsolicited events (after ATTACH) start with a `<level>` prefix, e.g.
/// `<3>CTRL-EVENT-SSID-TEMP-DISABLED id=0 ssid="x" auth_failures=1 duration=10 reason=WRONG_KEY`.
enum WpaMessage {
    /// The events the Wi-Fi link acts on; anything else is `.other`.
    enum Event: Equatable {
        case connected
        case disconnected(reason: Int?)
        /// A 4-way handshake failure: the passphrase is wrong (wpa_supplicant's WRONG_KEY).
        case wrongKey
        /// The network is skipped for a while for another reason (CONN_FAILED, AUTH_FAILED ...).
        case temporarilyDisabled(reason: String)
        case networkNotFound
        case scanResults
        case other
    }

    /// One access point from SCAN_RESULTS.
    struct ScanEntry: Equatable {
        var bssid: String
        var frequency: Int
        var signal: Int
        var flags: String
        var ssid: String
    }

    /// Whether a datagram is an event (`<N>...`) rather than a reply to a command.
    static func isEvent(_ text: String) -> Bool {
        text.utf8.first == UInt8(ascii: "<")
    }

    /// The event in `text` (with its `<N>` prefix).
    static func event(_ text: String) -> Event {
        var body = Substring(text)
        if let close = body.firstIndex(of: ">"), body.first == "<" { body = body[body.index(after: close)...] }
        if body.hasPrefix("CTRL-EVENT-CONNECTED") { return .connected }
        if body.hasPrefix("CTRL-EVENT-DISCONNECTED") {
            return .disconnected(reason: field("reason", in: body).flatMap { Int($0) })
        }
        if body.hasPrefix("CTRL-EVENT-SSID-TEMP-DISABLED") {
            let reason = field("reason", in: body) ?? "unknown"
            return reason == "WRONG_KEY" ? .wrongKey : .temporarilyDisabled(reason: reason)
        }
        // Older wpa_supplicants say it only in prose.
        if body.hasPrefix("WPA: 4-Way Handshake failed") { return .wrongKey }
        if body.hasPrefix("CTRL-EVENT-NETWORK-NOT-FOUND") { return .networkNotFound }
        if body.hasPrefix("CTRL-EVENT-SCAN-RESULTS") { return .scanResults }
        return .other
    }

    /// `name=value` in an event's space-separated fields (the value ends at a space).
    static func field(_ name: String, in body: Substring) -> String? {
        for part in body.split(separator: " ") where part.hasPrefix(name + "=") {
            return String(part.dropFirst(name.count + 1))
        }
        return nil
    }

    /// `key=value` lines (STATUS, SIGNAL_POLL); a line without `=` is dropped and counted.
    static func pairs(_ text: String) -> (pairs: [(key: String, value: String)], dropped: Int) {
        var pairs: [(key: String, value: String)] = []
        var dropped = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            guard let equals = line.firstIndex(of: "="), equals != line.startIndex else { dropped += 1; continue }
            pairs.append((String(line[..<equals]), String(line[line.index(after: equals)...])))
        }
        return (pairs, dropped)
    }

    /// SCAN_RESULTS: a header line, then `bssid\tfrequency\tsignal level\tflags\tssid`; a row
    /// with other than five columns or non-numeric numbers is dropped and counted.
    static func scanResults(_ text: String) -> (entries: [ScanEntry], dropped: Int) {
        var entries: [ScanEntry] = []
        var dropped = 0
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: true).enumerated() {
            if index == 0 && line.hasPrefix("bssid") { continue }
            let columns = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard columns.count == 5, let frequency = Int(columns[1]), let signal = Int(columns[2]) else {
                dropped += 1
                continue
            }
            entries.append(ScanEntry(bssid: String(columns[0]), frequency: frequency, signal: signal,
                                     flags: String(columns[3]), ssid: String(columns[4])))
        }
        return (entries, dropped)
    }
}
