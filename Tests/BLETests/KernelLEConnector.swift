@testable import BLE
import Foundation
import Runtime

/// LE connection attempts as the Linux kernel runs them behind `connect()` on an ATT socket
/// (learned in the qemu boot test): one attempt per adapter at a time, and a second one
/// while the first is pending is answered EBUSY. An attempt takes `establishing` to come up;
/// until then the socket is not writable (see `GATTPeripheralSimulator.connect`), then the
/// link belongs to the device and the adapter is free again. `occupy` starts an attempt
/// the gateway did not make (another program on the adapter).
final class KernelLEConnector {
    private let loop: EventLoop
    private let establishing: Interval
    private var devices: [BLEAddress: GATTPeripheralSimulator] = [:]
    private var timer: OneShotTimer?
    /// Whether an attempt is pending now.
    private(set) var pending = false
    /// Every `connect()`, in order, EBUSY ones included.
    private(set) var attempts: [BLEAddress] = []
    private(set) var busyAnswers = 0

    init(loop: EventLoop, establishing: Interval) {
        self.loop = loop
        self.establishing = establishing
    }

    /// `device` answers connects to `address`.
    func add(_ address: BLEAddress, _ device: GATTPeripheralSimulator) { devices[address] = device }

    /// The gateway's `openATT`: EBUSY while an attempt is pending, else a link that comes up
    /// after `establishing`.
    func open(_ address: BLEAddress) throws(BLEError) -> OwnedDescriptor {
        attempts.append(address)
        if pending {
            busyAnswers += 1
            throw .system(.system(call: "connect(L2CAP ATT " + address.text + ")", errno: Errno(EBUSY)))
        }
        guard let device = devices[address] else {
            throw .system(.system(call: "connect(L2CAP ATT " + address.text + ")", errno: Errno(EHOSTUNREACH)))
        }
        let descriptor: OwnedDescriptor
        do { descriptor = try device.connect(established: false) } catch { throw .serial("socketpair") }
        occupy(for: establishing) { device.establish() }
        return descriptor
    }

    /// An attempt runs on the adapter for `duration`, then `done`.
    func occupy(for duration: Interval, _ done: @escaping () -> Void = {}) {
        pending = true
        timer = loop.after(duration) { [unowned self] in
            self.pending = false
            done()
        }
    }
}
