/// Reads little-endian fields at fixed offsets of a sensor frame. The frame's length is
/// checked once before decoding starts, so every read here is in bounds by construction and
/// a wrong offset is a programmer bug (a trap), never a malformed-input crash.
struct BenchlabByteReader {
    let bytes: [UInt8]

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    func uint8(_ offset: Int) -> UInt8 { bytes[offset] }

    func uint16(_ offset: Int) -> UInt16 {
        UInt16(bytes[offset]) | UInt16(bytes[offset + 1]) << 8
    }

    func int16(_ offset: Int) -> Int16 { Int16(bitPattern: uint16(offset)) }

    func uint32(_ offset: Int) -> UInt32 {
        UInt32(uint16(offset)) | UInt32(uint16(offset + 2)) << 16
    }

    func int32(_ offset: Int) -> Int32 { Int32(bitPattern: uint32(offset)) }

    func uint64(_ offset: Int) -> UInt64 {
        UInt64(uint32(offset)) | UInt64(uint32(offset + 4)) << 32
    }

    /// `count` consecutive int16 values from `offset`.
    func int16Array(_ offset: Int, count: Int) -> [Int16] {
        var values: [Int16] = []
        values.reserveCapacity(count)
        for index in 0..<count { values.append(int16(offset + 2 * index)) }
        return values
    }
}
