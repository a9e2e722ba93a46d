/// SLCAN's bit rate codes: `S0`-`S9` for the nominal (arbitration) rate and `Y<n>` for a
/// CAN FD data-phase rate.
public enum SLCANBitrate {
    /// Nominal rates by `S` code. S7 is 750 kbit/s on CANable firmware (800k in Lawicel's
    /// original spec); both map to it.
    public static let nominal: [(code: UInt8, bitrate: Int)] = [
        (0, 10_000), (1, 20_000), (2, 50_000), (3, 100_000), (4, 125_000), (5, 250_000),
        (6, 500_000), (7, 750_000), (7, 800_000), (8, 1_000_000), (9, 83_333),
    ]

    /// FD data-phase rates by `Y` code.
    public static let data: [(code: UInt8, bitrate: Int)] = [(2, 2_000_000), (5, 5_000_000)]

    /// The `S` code for `bitrate`, or nil when SLCAN has none (83.3k also accepted as 83300).
    public static func nominalCode(for bitrate: Int) -> UInt8? {
        if bitrate == 83_300 { return 9 }
        for entry in nominal where entry.bitrate == bitrate { return entry.code }
        return nil
    }

    /// The `Y` code for a data-phase `bitrate`, or nil.
    public static func dataCode(for bitrate: Int) -> UInt8? {
        for entry in data where entry.bitrate == bitrate { return entry.code }
        return nil
    }

    /// The nominal rates SLCAN offers, for error messages: `10000, 20000, ...`.
    public static var nominalList: String {
        var seen: [Int] = []
        for entry in nominal where !seen.contains(entry.bitrate) { seen.append(entry.bitrate) }
        return seen.map { String($0) }.joined(separator: ", ")
    }
}
