import Runtime
import Synchronization

extension MQTTClient {
    // A connect attempt runs on a short-lived thread (name resolution blocks); it stores its
    // result in the attempt and signals the loop's wake-up.
    //
    // Unchecked Sendable, by hand-over: the attempt carries the session to the connect thread,
    // which alone uses it and writes the result fields until it release-stores `done`; the
    // loop touches neither the session nor the fields before it acquire-loads `done` as true.
    final class ConnectAttempt: @unchecked Sendable {
        let session: MosquittoSession
        let settings: MQTTSettings
        let first: Bool
        /// CONNECT user properties; nil for the plain (non-v5) connect.
        let properties: [MQTTUserProperty]?
        init(session: MosquittoSession, settings: MQTTSettings, first: Bool, properties: [MQTTUserProperty]?) {
            self.session = session
            self.settings = settings
            self.first = first
            self.properties = properties
        }
        let done = Atomic<Bool>(false)
        var result: Int32 = 0
        /// The connect thread's errno: a system error is only readable on that thread.
        var reason = ""
        /// What libmosquitto logged as a problem during the attempt (TLS details).
        var problem = ""
        /// libmosquitto's log lines during the attempt, for `debug` (bounded).
        var debugLines: [String] = []
    }
}
