/// A setting the gateway could not start one of its parts with: the key to fix, and why.
/// `status`, the `state` heartbeat and the log name the key, so a person on the console
/// knows what to `set` without reading a C library's error text.
struct SettingProblem: Equatable {
    let key: String
    let reason: String

    /// `key: reason`, for the log and the console.
    var text: String { key + ": " + reason }
}
