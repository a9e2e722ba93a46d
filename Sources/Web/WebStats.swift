/// What the routes counted.
struct WebStats {
    var page = 0
    var state = 0
    var events = 0
    var metrics = 0
    var notFound = 0
    /// 401 answers: no credentials, or wrong ones.
    var unauthorized = 0
    /// Wrong credentials checked.
    var authFailures = 0
    /// 429 answers: a client in its login backoff, whose password was not looked at.
    var authThrottled = 0
    /// Actions run from the page (`POST /api/action`), failed by their command, refused
    /// (no token, malformed, unconfirmed).
    var actions = 0
    var actionsFailed = 0
    var actionsRefused = 0
    /// Firmware uploads (`POST /api/ota`): taken in full, refused before their body (login,
    /// token, confirmation, size, one at a time), and bytes received.
    var uploads = 0
    var uploadsRefused = 0
    var uploadBytes = 0
}
