import Foundation

/// Builds READ_SENSORS replies in Swift straight from reference/benchlab.md's offset table,
/// independently of both the decoder and the simulator, for decoder tests and fuzz seeds.
enum FrameBytes {
    static func original(_ values: BenchlabRawValues) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: 216)
        common(values, probes: 4, into: &bytes)
        put16(values.tamb, at: 40, &bytes)
        put16(values.hum, at: 42, &bytes)
        status(values, at: 44, &bytes)
        for rail in 0..<11 { powerReading(values.power[rail], at: 48 + 12 * rail, &bytes) }
        for fan in 0..<9 { fanReading(values.fans[fan], at: 180 + 4 * fan, &bytes) }
        return bytes
    }

    /// 384 bytes with the fault registers, or 368 without (`withFaults: false`, fw < 5).
    static func bl2(_ values: BenchlabRawValues, withFaults: Bool = true) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: withFaults ? 384 : 368)
        common(values, probes: 8, into: &bytes)
        put16(values.tamb, at: 48, &bytes)
        put16(values.hum, at: 50, &bytes)
        status(values, at: 52, &bytes)
        for reading in 0..<23 { powerReading(values.power[reading], at: 56 + 12 * reading, &bytes) }
        for fan in 0..<9 { fanReading(values.fans[fan], at: 332 + 4 * fan, &bytes) }
        if withFaults {
            put64(UInt64(values.faultStatus), at: 368, &bytes)
            put64(UInt64(values.faultLog), at: 376, &bytes)
        }
        return bytes
    }

    private static func common(_ values: BenchlabRawValues, probes: Int, into bytes: inout [UInt8]) {
        for (channel, millivolts) in values.vin.enumerated() { put16(millivolts, at: 2 * channel, &bytes) }
        put16(values.vdd, at: 26, &bytes)
        put16(values.vref, at: 28, &bytes)
        put16(values.tchip, at: 30, &bytes)
        for probe in 0..<probes { put16(values.ts[probe], at: 32 + 2 * probe, &bytes) }
    }

    private static func status(_ values: BenchlabRawValues, at offset: Int, _ bytes: inout [UInt8]) {
        bytes[offset] = UInt8(values.fanSwitch)
        bytes[offset + 1] = UInt8(values.rgbSwitch)
        bytes[offset + 2] = UInt8(values.rgbExt)
        bytes[offset + 3] = UInt8(values.fanExtDuty)
    }

    private static func powerReading(_ reading: [Int], at offset: Int, _ bytes: inout [UInt8]) {
        put16(reading[0], at: offset, &bytes)
        // Two bytes of padding: left as junk would be, to prove the decoder skips them.
        bytes[offset + 2] = 0xAB
        bytes[offset + 3] = 0xCD
        put32(reading[1], at: offset + 4, &bytes)
        put32(reading[2], at: offset + 8, &bytes)
    }

    private static func fanReading(_ fan: [Int], at offset: Int, _ bytes: inout [UInt8]) {
        bytes[offset] = UInt8(fan[0])
        bytes[offset + 1] = UInt8(fan[1])
        put16(fan[2], at: offset + 2, &bytes)
    }

    static func put16(_ value: Int, at offset: Int, _ bytes: inout [UInt8]) {
        let raw = UInt16(truncatingIfNeeded: value)
        bytes[offset] = UInt8(raw & 0xFF)
        bytes[offset + 1] = UInt8(raw >> 8)
    }

    static func put32(_ value: Int, at offset: Int, _ bytes: inout [UInt8]) {
        let raw = UInt32(truncatingIfNeeded: value)
        for index in 0..<4 { bytes[offset + index] = UInt8((raw >> (8 * UInt32(index))) & 0xFF) }
    }

    static func put64(_ value: UInt64, at offset: Int, _ bytes: inout [UInt8]) {
        for index in 0..<8 { bytes[offset + index] = UInt8((value >> (8 * UInt64(index))) & 0xFF) }
    }
}
