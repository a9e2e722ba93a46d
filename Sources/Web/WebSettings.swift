import ServiceKit
import Store

/// The dashboard's settings as read when the service is made, checked once at start.
struct WebSettings {
    var address: String
    var port: Int
    var username: String
    /// Empty: no authentication (loopback only).
    var password: String
    var maxClients: Int
    var headerTimeoutSeconds: Int
    var updateMilliseconds: Int

    init(from store: ConfigStore) {
        let bind = store.string(WebConfigKeys.bind)
        // `localhost` is what people type; libmicrohttpd wants an address.
        address = bind == "localhost" ? "127.0.0.1" : bind
        port = store.integer(WebConfigKeys.port)
        username = store.string(WebConfigKeys.username)
        password = store.secretValue(WebConfigKeys.password)
        maxClients = store.integer(WebConfigKeys.maxClients)
        headerTimeoutSeconds = store.integer(WebConfigKeys.headerTimeoutSeconds)
        updateMilliseconds = store.integer(WebConfigKeys.updateMilliseconds)
    }

    /// Whether only this machine can reach the address (127.0.0.0/8 or ::1).
    var isLoopback: Bool {
        address == "::1" || address.utf8.starts(with: "127.".utf8)
    }

    /// Settings that cannot work: a dashboard open to the network without a password.
    func check() throws(ServiceError) {
        if !isLoopback && password.isEmpty {
            throw .invalidSetting(key: WebConfigKeys.password.name,
                                  reason: "the dashboard listens on " + address
                                      + ", reachable from the network: set web.password (or web.bind 127.0.0.1)")
        }
    }

    /// Whether `credentials` are the configured ones (always true without a password).
    /// Compares every byte whatever differs first, so timing tells nothing of the password.
    func admits(_ credentials: (user: String, password: String)?) -> Bool {
        if password.isEmpty { return true }
        guard let credentials else { return false }
        let userOK = WebSettings.sameBytes(credentials.user, username)
        let passwordOK = WebSettings.sameBytes(credentials.password, password)
        return userOK && passwordOK
    }

    private static func sameBytes(_ given: String, _ expected: String) -> Bool {
        let a = Array(given.utf8), b = Array(expected.utf8)
        var difference = UInt8(a.count == b.count ? 0 : 1)
        for index in 0..<b.count { difference |= b[index] ^ (index < a.count ? a[index] : 0) }
        return difference == 0
    }
}
