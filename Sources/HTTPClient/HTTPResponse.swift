import Runtime

/// A complete response: status, headers of the final response (after redirects), body.
public struct HTTPResponse {
    public let status: Int
    public let headers: [HTTPHeader]
    public let body: [UInt8]
    /// From submission to completion, as the run loop's clock saw it.
    public let duration: Interval

    public init(status: Int, headers: [HTTPHeader], body: [UInt8], duration: Interval) {
        self.status = status
        self.headers = headers
        self.body = body
        self.duration = duration
    }

    /// 200-299.
    public var isSuccess: Bool { status >= 200 && status < 300 }

    /// The body as UTF-8 text (invalid sequences replaced).
    public var text: String { String(decoding: body, as: UTF8.self) }

    /// The value of the first header named `name` (any case).
    public func header(_ name: String) -> String? { headers.value(named: name) }
}
