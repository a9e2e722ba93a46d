/// Little- and big-endian integer reads from a slice at an offset from its start. Callers
/// check lengths first; these trap on a short slice, which the decoders never pass.
extension ArraySlice where Element == UInt8 {
    @inline(__always)
    func byte(_ offset: Int) -> UInt8 { self[startIndex + offset] }

    /// Unsigned little-endian integer of `count` bytes (1...4) at `offset`.
    func unsignedLE(_ offset: Int, _ count: Int) -> UInt32 {
        var value: UInt32 = 0
        for index in 0..<count { value |= UInt32(byte(offset + index)) << UInt32(8 * index) }
        return value
    }

    /// Signed little-endian integer of `count` bytes (1...4) at `offset`.
    func signedLE(_ offset: Int, _ count: Int) -> Int32 {
        let value = unsignedLE(offset, count)
        let shift = UInt32(32 - 8 * count)
        return Int32(bitPattern: value << shift) >> Int32(shift)
    }

    /// Unsigned big-endian 16-bit integer at `offset`.
    func unsignedBE16(_ offset: Int) -> UInt16 { UInt16(byte(offset)) << 8 | UInt16(byte(offset + 1)) }

    /// Signed big-endian 16-bit integer at `offset`.
    func signedBE16(_ offset: Int) -> Int16 { Int16(bitPattern: unsignedBE16(offset)) }
}
