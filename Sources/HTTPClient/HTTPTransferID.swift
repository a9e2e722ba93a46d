/// Names one submitted request, for `HTTPClient.cancel(_:)`.
public struct HTTPTransferID: Hashable {
    public let rawValue: UInt64
    public init(rawValue: UInt64) { self.rawValue = rawValue }
}
