/// Builds one single-segment message: everything we send is small, so one growing
/// segment is enough and no far pointers are written. The root struct sits behind the
/// pointer at word 0, as readers expect.
public final class CapnpBuilder {
    private(set) var bytes: [UInt8] = []

    public init(capacityWords: Int = 32) {
        bytes.reserveCapacity(capacityWords * 8)
        // Word 0: the root pointer.
        bytes.append(contentsOf: [UInt8](repeating: 0, count: 8))
    }

    /// The root struct, with `dataWords` data words and `pointerCount` pointers.
    public func initRoot(dataWords: Int, pointerCount: Int) -> CapnpStructBuilder {
        initStruct(atPointerWord: 0, dataWords: dataWords, pointerCount: pointerCount)
    }

    /// The framed message, ready for the stream.
    public func framed() -> [UInt8] {
        CapnpFrameAssembler.frame(segmentWords: [bytes.count / 8], bytes: bytes)
    }

    /// Appends `words` zero words; returns the first one's index.
    func allocate(_ words: Int) -> Int {
        let first = bytes.count / 8
        bytes.append(contentsOf: [UInt8](repeating: 0, count: words * 8))
        return first
    }

    func setWord(_ index: Int, _ value: UInt64) {
        for byte in 0..<8 { bytes[index * 8 + byte] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(byte))) }
    }

    func setByte(_ offset: Int, _ value: UInt8) { bytes[offset] = value }
    func byte(_ offset: Int) -> UInt8 { bytes[offset] }

    /// A struct or list pointer at `pointerWord` to content at `target`.
    func pointer(at pointerWord: Int, to target: Int, kind: UInt64, upper: UInt64) {
        let offset = UInt64(UInt32(bitPattern: Int32(target - pointerWord - 1)) << 2)
        setWord(pointerWord, offset | kind | upper << 32)
    }

    func initStruct(atPointerWord pointerWord: Int, dataWords: Int, pointerCount: Int) -> CapnpStructBuilder {
        let start = allocate(dataWords + pointerCount)
        pointer(at: pointerWord, to: start, kind: 0, upper: UInt64(dataWords) | UInt64(pointerCount) << 16)
        return CapnpStructBuilder(builder: self, dataWord: start, dataWords: dataWords, pointerCount: pointerCount)
    }
}

/// One struct being written into a `CapnpBuilder`.
public struct CapnpStructBuilder {
    let builder: CapnpBuilder
    let dataWord: Int
    public let dataWords: Int
    public let pointerCount: Int

    private func set(_ byteOffset: Int, _ value: UInt64, size: Int) {
        precondition(byteOffset + size <= dataWords * 8, "field outside the struct's data section")
        for index in 0..<size {
            builder.setByte(dataWord * 8 + byteOffset + index, UInt8(truncatingIfNeeded: value >> (8 * UInt64(index))))
        }
    }

    private func pointerWord(_ index: Int) -> Int {
        precondition(index < pointerCount, "pointer outside the struct's pointer section")
        return dataWord + dataWords + index
    }

    /// Sets the `UInt16` field at index `index` (16-bit units).
    public func setUInt16(at index: Int, _ value: UInt16) { set(index * 2, UInt64(value), size: 2) }
    /// Sets the `UInt32` field at index `index` (32-bit units).
    public func setUInt32(at index: Int, _ value: UInt32) { set(index * 4, UInt64(value), size: 4) }
    /// Sets the `UInt64` field at index `index` (64-bit units).
    public func setUInt64(at index: Int, _ value: UInt64) { set(index * 8, value, size: 8) }
    /// Sets the `Bool` field at bit `bit`.
    public func setBool(at bit: Int, _ value: Bool) {
        precondition(bit / 8 < dataWords * 8, "field outside the struct's data section")
        let offset = dataWord * 8 + bit / 8
        let mask = UInt8(1) << UInt8(bit % 8)
        builder.setByte(offset, value ? builder.byte(offset) | mask : builder.byte(offset) & ~mask)
    }

    /// A new struct behind pointer `index`.
    public func initStruct(_ index: Int, dataWords: Int, pointerCount: Int) -> CapnpStructBuilder {
        builder.initStruct(atPointerWord: pointerWord(index), dataWords: dataWords, pointerCount: pointerCount)
    }

    /// Writes `text` (NUL-terminated byte list) behind pointer `index`.
    public func setText(_ index: Int, _ text: String) {
        let utf8 = Array(text.utf8)
        let count = utf8.count + 1
        let start = builder.allocate((count + 7) / 8)
        for (offset, byte) in utf8.enumerated() { builder.setByte(start * 8 + offset, byte) }
        builder.pointer(at: pointerWord(index), to: start, kind: 1, upper: 2 | UInt64(count) << 3)
    }

    /// A capability pointer to entry `capIndex` of the payload's cap table.
    public func setCapability(_ index: Int, capIndex: UInt32) {
        builder.setWord(pointerWord(index), 3 | UInt64(capIndex) << 32)
    }

    /// A list of `count` structs (inline composite) behind pointer `index`.
    public func initStructList(_ index: Int, count: Int, dataWords: Int, pointerCount: Int) -> [CapnpStructBuilder] {
        let stride = dataWords + pointerCount
        let tagWord = builder.allocate(1 + count * stride)
        builder.pointer(at: pointerWord(index), to: tagWord, kind: 1, upper: 7 | UInt64(count * stride) << 3)
        builder.setWord(tagWord, UInt64(count) << 2 | UInt64(dataWords) << 32 | UInt64(pointerCount) << 48)
        var elements: [CapnpStructBuilder] = []
        for element in 0..<count {
            elements.append(CapnpStructBuilder(builder: builder, dataWord: tagWord + 1 + element * stride,
                                               dataWords: dataWords, pointerCount: pointerCount))
        }
        return elements
    }

    /// A `List(Text)` behind pointer `index`.
    public func setTextList(_ index: Int, _ texts: [String]) {
        let first = builder.allocate(texts.count)
        builder.pointer(at: pointerWord(index), to: first, kind: 1, upper: 6 | UInt64(texts.count) << 3)
        let list = CapnpStructBuilder(builder: builder, dataWord: first, dataWords: 0, pointerCount: texts.count)
        for (position, text) in texts.enumerated() { list.setText(position, text) }
    }
}
