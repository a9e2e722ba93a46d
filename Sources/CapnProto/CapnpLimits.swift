/// How much a reader accepts from a peer. The kinds of bound are the reference
/// implementation's (capnp `ReaderOptions` and its stream reader): traversal limit 8 Mi words,
/// nesting limit 64, fewer than 512 segments. The message size cap is ours and smaller than
/// the reference's (which lets a message be as large as the traversal limit, 64 MiB): a
/// gateway buffers each connection's message whole, and no BCMS call comes near 64 KiB.
public struct CapnpLimits: Equatable, Sendable {
    /// Words a reader may visit in one message, counting each struct or list it opens.
    public var traversalWords: Int
    /// How deep pointers may nest below the root.
    public var nestingDepth: Int
    /// Segments one message may have.
    public var maxSegments: Int
    /// Words one message (all segments) may have; checked from the framing header alone.
    public var maxMessageWords: Int

    public init(traversalWords: Int = 8 * 1024 * 1024, nestingDepth: Int = 64, maxSegments: Int = 511,
                maxMessageWords: Int = 8 * 1024) {
        self.traversalWords = traversalWords
        self.nestingDepth = nestingDepth
        self.maxSegments = maxSegments
        self.maxMessageWords = maxMessageWords
    }

    /// The reference's reader limits with our message size cap (64 KiB).
    public static let standard = CapnpLimits()
}
