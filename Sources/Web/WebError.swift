/// Everything the Web module can fail with; each case is one line that says what to do.
public enum WebError: Error, Equatable {
    /// `web.bind` is not an IPv4 or IPv6 address.
    case invalidAddress(String)
    /// libmicrohttpd could not start listening (port taken, address not on this host).
    case cannotListen(address: String)
    /// The daemon started but has no epoll descriptor for our run loop to watch.
    case noEventDescriptor
    /// A POST from the page that is no action the dashboard offers (says what is wrong).
    case invalidAction(String)

    public var description: String {
        switch self {
        case .invalidAddress(let address):
            return "\"" + address + "\" is not an IP address (set web.bind to e.g. 127.0.0.1 or 0.0.0.0)"
        case .cannotListen(let address):
            return "cannot listen on " + address + " (is the port taken? set web.port to a free one)"
        case .noEventDescriptor:
            return "libmicrohttpd has no epoll descriptor (built without epoll?)"
        case .invalidAction(let why):
            return why
        }
    }
}
