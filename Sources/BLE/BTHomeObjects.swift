import Runtime

/// Walks BTHome objects (v2: `id, value`; v1: `control, id, value`) into measurements.
enum BTHomeObjects {
    /// What a walk gave: the values, and the bytes from the first object it could not read
    /// (an unknown v2 id, or an object running past the end); nil when it read everything.
    struct Walk {
        var measurements: [SensorMeasurement] = []
        var undecoded: [UInt8]?
    }

    /// BTHome v2 objects in `bytes`. Stops at an unknown id (its size is unknown) or at an
    /// object running past the end, keeping what came before.
    static func v2(_ bytes: ArraySlice<UInt8>) -> Walk {
        var walk = Walk()
        walk.measurements.reserveCapacity(8)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            guard let object = BTHomeObject.lookup(bytes[index]) else { break }
            var start = index + 1
            var size = Int(object.size)
            if object.size == 0 {
                // Length-prefixed (text, raw, command): a missing length byte ends the walk.
                guard start < bytes.endIndex else { break }
                size = Int(bytes[start])
                // The command's length byte counts its arguments (low 5 bits), not its opcode.
                if object.encoding == .command { size = Int(bytes[start] & 0x1F) + 1 }
                start += 1
            }
            guard start + size <= bytes.endIndex else { break }
            append(object, bytes[start..<(start + size)], to: &walk.measurements)
            index = start + size
        }
        if index < bytes.endIndex { walk.undecoded = Array(bytes[index...]) }
        return walk
    }

    /// BTHome v1 objects: a control byte (bits 5-7 format: 0 unsigned, 1 signed, 2 float,
    /// 3 text, 4 raw; bits 0-4 the length of id and value), the id, the value. An id the
    /// table does not know is skipped (its length is given); a running-past object ends it.
    static func v1(_ bytes: ArraySlice<UInt8>) -> Walk {
        var walk = Walk()
        var index = bytes.startIndex
        while index + 1 < bytes.endIndex {
            let control = bytes[index]
            let length = Int(control & 0x1F)
            let next = index + 1 + length
            guard length >= 1, next <= bytes.endIndex else { break }
            let value = bytes[(index + 2)..<next]
            if let object = BTHomeObject.lookup(bytes[index + 1]), !value.isEmpty {
                switch control >> 5 {
                case 0: appendNumber(object.kind, Double(unsigned(value)), object, to: &walk.measurements)
                case 1: appendNumber(object.kind, Double(signed(value)), object, to: &walk.measurements)
                case 2:
                    if let number = float(value) { appendNumber(object.kind, number, object, to: &walk.measurements) }
                case 3: walk.measurements.append(SensorMeasurement(object.kind, text: text(value)))
                case 4: walk.measurements.append(SensorMeasurement(object.kind, text: Hex.encode(value)))
                default: break
                }
            }
            index = next
        }
        if index < bytes.endIndex { walk.undecoded = Array(bytes[index...]) }
        return walk
    }

    /// One v2 object's value.
    static func append(_ object: BTHomeObject, _ value: ArraySlice<UInt8>, to out: inout [SensorMeasurement]) {
        switch object.encoding {
        case .unsigned: appendNumber(object.kind, Double(unsigned(value)), object, to: &out)
        case .signed: appendNumber(object.kind, Double(signed(value)), object, to: &out)
        case .signedTimes035: out.append(SensorMeasurement(object.kind, Double(signed(value)) * 0.35))
        case .text:
            // An empty text is no value (as in the reference decoder).
            if !value.isEmpty { out.append(SensorMeasurement(object.kind, text: text(value))) }
        case .raw:
            if !value.isEmpty { out.append(SensorMeasurement(object.kind, text: Hex.encode(value))) }
        case .command: out.append(SensorMeasurement(.command, Double(value[value.startIndex])))
        case .dimmer:
            out.append(SensorMeasurement(.dimmer, Double(value[value.startIndex])))
            out.append(SensorMeasurement(.dimmerSteps, Double(value[value.startIndex + 1])))
        case .firmware:
            var version = ""
            for byte in value.reversed() {
                if !version.isEmpty { version += "." }
                version += String(byte)
            }
            out.append(SensorMeasurement(.firmwareVersion, text: version))
        }
    }

    static func appendNumber(_ kind: MeasurementKind, _ raw: Double, _ object: BTHomeObject,
                             to out: inout [SensorMeasurement]) {
        out.append(SensorMeasurement(kind, object.encoding == .signedTimes035 ? raw * 0.35 : raw / object.divisor))
    }

    /// Little-endian unsigned value of up to 8 bytes.
    static func unsigned(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        var value: UInt64 = 0
        for (shift, byte) in bytes.prefix(8).enumerated() { value |= UInt64(byte) << UInt64(8 * shift) }
        return value
    }

    /// Little-endian two's complement value of up to 8 bytes.
    static func signed(_ bytes: ArraySlice<UInt8>) -> Int64 {
        let count = min(bytes.count, 8)
        guard count > 0 else { return 0 }
        let shift = UInt64(64 - 8 * count)
        return Int64(bitPattern: unsigned(bytes) << shift) >> Int64(shift)
    }

    /// IEEE 754 half (2 bytes) or single (4 bytes) little-endian; nil for other sizes.
    static func float(_ bytes: ArraySlice<UInt8>) -> Double? {
        switch bytes.count {
        case 4: return Double(Float(bitPattern: UInt32(unsigned(bytes))))
        case 2: return half(UInt16(unsigned(bytes)))
        default: return nil
        }
    }

    /// A half-precision value, widened by hand (Float16 is not on every target).
    static func half(_ bits: UInt16) -> Double {
        let sign: Double = bits & 0x8000 != 0 ? -1 : 1
        let exponent = Int((bits >> 10) & 0x1F)
        let fraction = Double(bits & 0x3FF)
        if exponent == 0 { return sign * fraction / 1024 / 16384 }
        if exponent == 31 { return fraction == 0 ? sign * .infinity : .nan }
        var scale = 1.0
        if exponent >= 15 { for _ in 0..<(exponent - 15) { scale *= 2 } } else { for _ in 0..<(15 - exponent) { scale /= 2 } }
        return sign * (1 + fraction / 1024) * scale
    }

    /// Text bytes as a string: invalid UTF-8 repaired, control bytes dropped.
    static func text(_ bytes: ArraySlice<UInt8>) -> String {
        String(decoding: bytes.filter { $0 >= 0x20 && $0 != 0x7F }, as: UTF8.self)
    }
}
