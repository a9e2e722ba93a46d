/// The request methods the gateway's clouds use.
public enum HTTPMethod: Equatable {
    case get, post, put, patch, delete, head

    /// The method's name on the wire.
    public var name: String {
        switch self {
        case .get: return "GET"
        case .post: return "POST"
        case .put: return "PUT"
        case .patch: return "PATCH"
        case .delete: return "DELETE"
        case .head: return "HEAD"
        }
    }
}
