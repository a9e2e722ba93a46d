import JSON

/// A decoded service or vehicle event: the values it carries under our names, ready for
/// per-value topics and discovery, and whether it also held fields we do not know.
public struct SkodaEvent {
    public let name: String
    public let timestamp: String?
    /// Skoda's id of this message: a repeat carries the same one.
    public let traceID: String?
    /// (our key, value) in a stable order; `.null` is "no value" (Skoda's string "null").
    public let values: [(key: String, value: JSONValue)]
    /// Whether `data` held fields beyond the ones decoded, or a state word no one knows: the
    /// whole message goes raw too.
    public let hasUnknownFields: Bool
    /// Whether the event's name is one we decode at all.
    public let isKnown: Bool
}
