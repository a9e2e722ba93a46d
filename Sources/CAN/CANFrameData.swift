/// The data bytes of one CAN or CAN FD frame, held inline: up to 64 bytes and a length, no
/// heap. A frame crosses reader thread -> ring -> loop at bus rate as a plain value, so
/// reading one allocates nothing and the ring's slots own no references.
///
/// A collection of `UInt8` (`count`, subscripts, `for byte in data`, `Array(data)`), built
/// from an array literal, any byte collection or raw memory. Bytes past `count` are always
/// zero, which is what lets equality compare whole words.
public struct CANFrameData: RandomAccessCollection, MutableCollection, Equatable, ExpressibleByArrayLiteral, Sendable {
    /// Bytes it holds at most: a CAN FD frame's 64.
    public static let capacity = 64

    // Eight words rather than 64 byte fields: the same 64 bytes, copied and compared a word
    // at a time.
    private var words: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
    private var length: UInt8 = 0

    /// No bytes.
    public init() {}

    /// A copy of `bytes`, at most `capacity` of them.
    public init<Bytes: Collection>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        precondition(bytes.count <= CANFrameData.capacity, "CAN frame data holds at most 64 bytes")
        length = UInt8(bytes.count)
        withUnsafeMutableBytes(of: &words) { raw in
            var index = 0
            for byte in bytes {
                raw[index] = byte
                index += 1
            }
        }
    }

    /// A copy of the bytes `raw` points at, at most `capacity` of them.
    public init(_ raw: UnsafeRawBufferPointer) {
        precondition(raw.count <= CANFrameData.capacity, "CAN frame data holds at most 64 bytes")
        length = UInt8(raw.count)
        if let base = raw.baseAddress {
            withUnsafeMutableBytes(of: &words) { $0.baseAddress!.copyMemory(from: base, byteCount: raw.count) }
        }
    }

    /// `count` bytes of `value` (a remote frame's zeros).
    public init(repeating value: UInt8, count: Int) {
        precondition(count >= 0 && count <= CANFrameData.capacity, "CAN frame data holds at most 64 bytes")
        length = UInt8(count)
        withUnsafeMutableBytes(of: &words) { raw in
            for index in 0..<count { raw[index] = value }
        }
    }

    public init(arrayLiteral elements: UInt8...) { self.init(elements) }

    public var startIndex: Int { 0 }
    public var endIndex: Int { Int(length) }
    public var count: Int { Int(length) }
    public var isEmpty: Bool { length == 0 }

    public subscript(position: Int) -> UInt8 {
        get {
            precondition(position >= 0 && position < Int(length), "CAN frame data index out of range")
            return Swift.withUnsafeBytes(of: words) { $0[position] }
        }
        set {
            precondition(position >= 0 && position < Int(length), "CAN frame data index out of range")
            withUnsafeMutableBytes(of: &words) { $0[position] = newValue }
        }
    }

    /// Appends one byte; there must be room (`count < capacity`).
    public mutating func append(_ byte: UInt8) {
        precondition(Int(length) < CANFrameData.capacity, "CAN frame data holds at most 64 bytes")
        let position = Int(length)
        length += 1
        self[position] = byte
    }

    /// Calls `body` with the bytes in place.
    public func withUnsafeBytes<Result>(_ body: (UnsafeRawBufferPointer) -> Result) -> Result {
        var words = self.words
        let count = Int(length)
        return Swift.withUnsafeBytes(of: &words) { body(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
    }

    /// The bytes as an array (allocates: for callers off the frame path).
    public var bytes: [UInt8] { Array(self) }

    public static func == (lhs: CANFrameData, rhs: CANFrameData) -> Bool {
        // The zero tail makes whole-word comparison exact.
        lhs.length == rhs.length
            && lhs.words.0 == rhs.words.0 && lhs.words.1 == rhs.words.1 && lhs.words.2 == rhs.words.2
            && lhs.words.3 == rhs.words.3 && lhs.words.4 == rhs.words.4 && lhs.words.5 == rhs.words.5
            && lhs.words.6 == rhs.words.6 && lhs.words.7 == rhs.words.7
    }
}
