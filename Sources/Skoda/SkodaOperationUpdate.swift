/// One `operation-request` message: a step of a request the app made (start charging,
/// honk and flash), `{version, traceId, requestId, operation, status, errorCode?}`.
public struct SkodaOperationUpdate: Equatable {
    public let requestID: String
    public let operation: String
    /// IN_PROGRESS, COMPLETED_SUCCESS, COMPLETED_WARNING, ERROR (or something newer).
    public let status: String
    public let errorCode: String?
    /// The topic's path after `operation-request`, e.g. "vehicle-access/honk-and-flash".
    public let group: String

    /// Whether the request is over: anything but IN_PROGRESS (an unknown status too, since
    /// Skoda sends no further word after a final one and an open entry would linger).
    public var isFinal: Bool { status != "IN_PROGRESS" }
}
