/// A view of one struct in a received message. Fields past the struct's sections read as
/// their zero default (an older or newer peer's struct), as the encoding specifies.
public struct CapnpStructReader {
    let message: CapnpMessage
    let segment: Int
    let dataWord: Int
    public let dataWords: Int
    public let pointerCount: Int
    /// Nesting levels left below this struct.
    let depth: Int

    static func empty(_ message: CapnpMessage, depth: Int) -> CapnpStructReader {
        CapnpStructReader(message: message, segment: 0, dataWord: 0, dataWords: 0, pointerCount: 0, depth: depth)
    }

    private func byte(_ offset: Int) -> UInt8 {
        guard offset < dataWords * 8 else { return 0 }
        return message.bytes[(message.segmentStart[segment] + dataWord) * 8 + offset]
    }

    /// The unsigned field at byte `offset` of the data section, `size` bytes wide.
    private func unsigned(_ offset: Int, _ size: Int) -> UInt64 {
        var value: UInt64 = 0
        for index in 0..<size { value |= UInt64(byte(offset + index)) << (8 * UInt64(index)) }
        return value
    }

    /// A `UInt16` field at index `index` (in 16-bit units, as the schema numbers it).
    public func uint16(at index: Int) -> UInt16 { UInt16(truncatingIfNeeded: unsigned(index * 2, 2)) }
    /// A `UInt32` field at index `index` (in 32-bit units).
    public func uint32(at index: Int) -> UInt32 { UInt32(truncatingIfNeeded: unsigned(index * 4, 4)) }
    /// A `UInt64` field at index `index` (in 64-bit units).
    public func uint64(at index: Int) -> UInt64 { unsigned(index * 8, 8) }
    /// A `Bool` field at bit `bit`.
    public func bool(at bit: Int) -> Bool { byte(bit / 8) & (1 << UInt8(bit % 8)) != 0 }

    /// Whether pointer `index` is null (or past the pointer section).
    public func isNull(_ index: Int) -> Bool {
        index >= pointerCount || message.word(segment, dataWord + dataWords + index) == 0
    }

    /// The raw pointer word `index` (0 past the section), for capability pointers.
    public func pointerWord(_ index: Int) -> UInt64 {
        index < pointerCount ? message.word(segment, dataWord + dataWords + index) : 0
    }

    /// The struct pointer `index` leads to; nil when it is null.
    public func structField(_ index: Int) throws(CapnpError) -> CapnpStructReader? {
        guard index < pointerCount else { return nil }
        return try message.readStruct(segment: segment, pointerWord: dataWord + dataWords + index, depth: depth)
    }

    /// The text pointer `index` leads to; "" when it is null.
    public func text(_ index: Int) throws(CapnpError) -> String {
        guard index < pointerCount,
              let list = try message.readList(segment: segment, pointerWord: dataWord + dataWords + index, depth: depth)
        else { return "" }
        guard list.sizeCode == 2, list.count > 0 else { throw .badText }
        let start = (message.segmentStart[list.segment] + list.content) * 8
        guard message.bytes[start + list.count - 1] == 0 else { throw .badText }
        return String(decoding: message.bytes[start..<(start + list.count - 1)], as: UTF8.self)
    }

    /// The elements of a struct list at pointer `index` (empty when null). Only the
    /// inline-composite encoding, the one every writer uses for struct lists, is accepted.
    public func structList(_ index: Int) throws(CapnpError) -> [CapnpStructReader] {
        guard index < pointerCount,
              let list = try message.readList(segment: segment, pointerWord: dataWord + dataWords + index, depth: depth)
        else { return [] }
        guard list.sizeCode == 7 else { throw .unexpectedPointer }
        let tag = message.word(list.segment, list.content)
        guard tag & 3 == 0 else { throw .unexpectedPointer }
        let count = Int(UInt32(truncatingIfNeeded: tag) >> 2)
        let dataWords = Int(UInt16(truncatingIfNeeded: tag >> 32))
        let pointers = Int(UInt16(truncatingIfNeeded: tag >> 48))
        let stride = dataWords + pointers
        guard count * stride <= list.count else { throw .pointerOutOfBounds }
        // Elements with no content still cost a word each (see `readList`).
        if stride == 0 { try message.charge(count) }
        var elements: [CapnpStructReader] = []
        elements.reserveCapacity(min(count, 1024))
        for element in 0..<count {
            elements.append(CapnpStructReader(message: message, segment: list.segment, dataWord: list.content + 1 + element * stride,
                                              dataWords: dataWords, pointerCount: pointers, depth: depth - 1))
        }
        return elements
    }

    /// The texts of a `List(Text)` at pointer `index`.
    public func textList(_ index: Int) throws(CapnpError) -> [String] {
        guard index < pointerCount,
              let list = try message.readList(segment: segment, pointerWord: dataWord + dataWords + index, depth: depth)
        else { return [] }
        guard list.sizeCode == 6 else { throw .unexpectedPointer }
        let element = CapnpStructReader(message: message, segment: list.segment, dataWord: list.content,
                                        dataWords: 0, pointerCount: list.count, depth: depth - 1)
        var texts: [String] = []
        for item in 0..<list.count { texts.append(try element.text(item)) }
        return texts
    }
}
