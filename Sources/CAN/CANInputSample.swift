/// The start of a rejected input, kept for its log line: at most 40 bytes with control bytes
/// shown as `?`, and whether there was more. Inline (no heap), so a reader thread can hand
/// a garbage report through the ring as cheaply as a frame.
public struct CANInputSample: Equatable, ExpressibleByStringLiteral, Sendable {
    /// Bytes of the input it keeps at most.
    public static let limit = 40

    private var bytes = CANFrameData()
    /// The input was longer than `limit` bytes.
    public private(set) var isTruncated = false

    /// The first `limit` bytes of `input`.
    public init<Bytes: Collection>(_ input: Bytes) where Bytes.Element == UInt8 {
        for byte in input.prefix(CANInputSample.limit) {
            bytes.append(byte >= 0x20 && byte < 0x7F ? byte : UInt8(ascii: "?"))
        }
        isTruncated = input.count > CANInputSample.limit
    }

    public init(stringLiteral text: String) { self.init(text.utf8) }

    /// The sample as text, `...` marking a cut.
    public var description: String {
        String(decoding: bytes, as: UTF8.self) + (isTruncated ? "..." : "")
    }
}
