import CLI
import CSocketCAN

/// `switchyard selftest`'s check of libsocketcan as linked into this binary (the `can`
/// service's descriptor lists it).
enum CANSelftests {
    static var checks: [SelftestCheck] {[SelftestCheck("socketcan", run: loopbackIsNoCAN)]}

    static func loopbackIsNoCAN() -> SelftestOutcome {
        // The loopback interface exists everywhere but is no CAN device: libsocketcan must
        // answer with an error (a missing interface would also work, but it prints to stderr).
        var state: Int32 = 0
        guard can_get_state("lo", &state) != 0 else { return .failed("can_get_state succeeded on the loopback interface") }
        return .passed("libsocketcan answers (loopback is no CAN device)")
    }
}
