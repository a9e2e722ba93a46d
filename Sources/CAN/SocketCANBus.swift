import CSocketCAN
import CSupport
import JSON
import Runtime

/// A SocketCAN interface (`can0`, `vcan0`) through a raw socket with CAN FD frames enabled,
/// and libsocketcan for bit rate, controller state and restart where the kernel lets us.
public final class SocketCANBus: CANBus {
    public let interface: String
    /// The bit rate to set, or nil to keep the interface's own (changing it needs root and a
    /// real controller; the interface goes down and up again).
    public let bitrate: Int?
    /// Whether the kernel accepted CAN_RAW_FD_FRAMES on the socket.
    public private(set) var supportsFD = false
    /// Set when the kernel refused the error-frame filter: bus errors and bus-off then go
    /// unseen, which the bus reports as its problem rather than looking healthy.
    public private(set) var errorFrameProblem: String?
    private var socket: OwnedDescriptor?
    /// Whether the interface has a controller libsocketcan can read (bit timing, state):
    /// vcan has none, and libsocketcan prints "no link data found" on every failed read,
    /// so it is asked once per open and not again.
    private var hasController = false
    private let log = Logger("can")
    /// Frames the kernel's transmit queue had no room for, oldest first (bounded).
    private var pending = SocketCANPendingQueue(capacity: 256)

    /// `sizeof(struct can_frame)`: a classic frame's datagram.
    static let classicFrameSize = MemoryLayout<can_frame>.size
    /// `sizeof(struct canfd_frame)`: a CAN FD frame's datagram.
    static let fdFrameSize = MemoryLayout<canfd_frame>.size

    /// A bus on `interface`; `bitrate` is applied at open when it differs.
    public init(interface: String, bitrate: Int? = nil) {
        self.interface = interface
        self.bitrate = bitrate
    }

    /// No timers of its own; its `problem` follows the controller, read when asked.
    public func attach(to loop: EventLoop, onProblemChange: @escaping () -> Void) {}

    /// A bus over an already open descriptor that carries `struct can_frame` /
    /// `struct canfd_frame` datagrams (a SOCK_SEQPACKET socketpair in tests, where the
    /// kernel has no CAN support).
    init(interface: String, adopting descriptor: OwnedDescriptor, supportsFD: Bool) {
        self.interface = interface
        self.bitrate = nil
        self.supportsFD = supportsFD
        socket = descriptor
    }

    public var name: String { "socketcan " + interface }

    public var descriptor: FileDescriptor { socket?.fd ?? FileDescriptor(-1) }

    /// Applies the bit rate where permitted, then opens and binds a raw CAN socket with FD frames and error frames on.
    public func open() throws(CANError) {
        guard socket == nil else { return }
        let index = if_nametoindex(interface)
        guard index != 0 else {
            throw .unavailable("no network interface named " + interface
                + " (create a virtual one with `ip link add dev " + interface + " type vcan; ip link set up " + interface + "`)")
        }
        var state: Int32 = 0
        hasController = can_get_state(interface, &state) == 0
        applyBitrate(stopped: hasController && UInt32(state) == CAN_STATE_STOPPED.rawValue)
        // A stopped controller binds but fails every read; say what to do instead, and let
        // the tunnel's backoff space the retries.
        if controllerState == "stopped" {
            throw .unavailable(interface + " is down: set can.bitrate so the gateway starts it, or bring it up with "
                + "`ip link set " + interface + " up type can bitrate N`")
        }
        let owned: OwnedDescriptor
        do throws(RuntimeError) {
            owned = try SystemCall.socket(domain: PF_CAN, type: Int32(SOCK_RAW.rawValue) | Int32(SOCK_NONBLOCK.rawValue),
                                          protocol: CAN_RAW, name: "socket(PF_CAN)")
        } catch {
            if case .system(_, let errno) = error, errno.rawValue == EAFNOSUPPORT {
                throw .unavailable("this kernel has no SocketCAN support (socket(PF_CAN) failed: " + errno.description + ")")
            }
            throw .from(error)
        }
        applySocketOptions(owned.fd)
        var address = sockaddr_can()
        address.can_family = sa_family_t(AF_CAN)
        address.can_ifindex = Int32(index)
        do throws(RuntimeError) { try SystemCall.bind(owned.fd, to: address, name: "bind(" + interface + ")") } catch {
            throw .from(error)
        }
        socket = owned
        pending.removeAll()
    }

    /// Turns on CAN FD frames (refused: classic frames only, as on old kernels) and error
    /// frames (refused: reported, logged and shown as the bus's problem, because bus errors
    /// and bus-off would go unseen).
    func applySocketOptions(_ fd: FileDescriptor) {
        do throws(RuntimeError) {
            try SystemCall.setOption(fd, level: SOL_CAN_RAW, option: Int32(CAN_RAW_FD_FRAMES), to: Int32(1),
                                     name: "setsockopt(CAN_RAW_FD_FRAMES)")
            supportsFD = true
        } catch {
            supportsFD = false
            log.info(interface + ": the kernel refused CAN FD frames (" + error.description + "); classic frames only")
        }
        // Error frames arrive as reads too: they are how bus errors and bus-off are seen.
        do throws(RuntimeError) {
            try SystemCall.setOption(fd, level: SOL_CAN_RAW, option: Int32(CAN_RAW_ERR_FILTER),
                                     to: can_err_mask_t(CAN_ERR_MASK), name: "setsockopt(CAN_RAW_ERR_FILTER)")
            errorFrameProblem = nil
        } catch {
            let text = interface + ": bus errors and bus-off go unreported (" + error.description + ")"
            log.warning(text)
            errorFrameProblem = text
        }
    }

    /// Closes the socket and forgets frames waiting for the kernel.
    public func close() {
        socket = nil
        pending.removeAll()
    }

    /// Sets the configured bit rate when it differs, and starts a stopped controller; says
    /// clearly when the kernel won't. Without a configured bit rate the interface is left as
    /// the system set it up. `stopped`: the controller's state as `open` just read it.
    private func applyBitrate(stopped: Bool) {
        guard let bitrate else { return }
        guard hasController else {
            log.info(interface + " has no controller (a virtual interface?): bit rate " + String(bitrate) + " not applied")
            return
        }
        // A controller whose bit rate was never set reports no bit timing at all.
        var timing = can_bittiming()
        let current = can_get_bittiming(interface, &timing) == 0 ? Int(timing.bitrate) : 0
        if current == bitrate {
            guard stopped else { return }
            if can_do_start(interface) == 0 {
                log.info(interface + ": controller started at " + String(bitrate) + " bit/s")
            } else {
                log.warning("cannot start " + interface + " (needs root or CAP_NET_ADMIN); start it with `ip link set "
                    + interface + " up`")
            }
            return
        }
        // The controller must be stopped for a new bit rate; start it again whatever happens.
        let set = can_do_stop(interface) == 0 && can_set_bitrate(interface, UInt32(bitrate)) == 0
        _ = can_do_start(interface)
        let was = current == 0 ? "none set" : String(current)
        if set {
            log.info(interface + ": bit rate set to " + String(bitrate) + " (was " + was + ")")
        } else {
            log.warning("cannot set " + interface + " to " + String(bitrate) + " bit/s (needs root or CAP_NET_ADMIN); "
                + "it stays at " + was + ". Set it with `ip link set " + interface
                + " down; ip link set " + interface + " type can bitrate " + String(bitrate) + "; ip link set "
                + interface + " up`")
        }
    }

    /// Reader thread: reads every waiting `can_frame`/`canfd_frame`; error frames become bus errors.
    public func receive(_ deliver: (CANBusEvent) -> Void) -> CANReceiveOutcome {
        guard let fd = socket?.fd else { return .closed("not open") }
        while true {
            // A classic frame is a prefix of the FD layout (id, length, flags, data at the
            // same offsets), so one canfd_frame on the stack takes either.
            var raw = canfd_frame()
            let count: Int
            do throws(RuntimeError) {
                let outcome = try withUnsafeMutableBytes(of: &raw) { buffer throws(RuntimeError) in
                    try fd.read(into: buffer)
                }
                guard case .done(let read) = outcome else { return .drained }
                count = read
            } catch {
                return .closed(interface + ": " + error.description)
            }
            if count == 0 { return .closed(interface + ": end of file") }
            guard count == SocketCANBus.classicFrameSize || count == SocketCANBus.fdFrameSize else { continue }
            let stamp = WallClock.microsecondsSinceEpoch()
            if raw.can_id & CAN_ERR_FLAG != 0 {
                deliver(.busError(SocketCANBus.describeError(raw.can_id & CAN_ERR_MASK)))
                continue
            }
            let isFD = count == SocketCANBus.fdFrameSize
            let length = min(Int(raw.len), isFD ? CANFrame.maxFDLength : CANFrame.maxClassicLength)
            let remote = !isFD && raw.can_id & CAN_RTR_FLAG != 0
            let extended = raw.can_id & CAN_EFF_FLAG != 0
            let data = remote ? CANFrameData(repeating: 0, count: length)
                              : withUnsafeBytes(of: &raw.data) { CANFrameData(UnsafeRawBufferPointer(rebasing: $0[0..<length])) }
            deliver(.frame(CANFrame(
                id: raw.can_id & (extended ? CAN_EFF_MASK : CAN_SFF_MASK), extended: extended, remote: remote, fd: isFD,
                bitRateSwitch: isFD && raw.flags & UInt8(CANFD_BRS) != 0,
                errorStateIndicator: isFD && raw.flags & UInt8(CANFD_ESI) != 0, data: data, timestamp: stamp)))
        }
    }

    /// SocketCAN answers no commands: nothing is ever left for the loop side.
    public func handleReplies(_ report: (CANBusEvent) -> Void) {}

    /// Writes the frame, or queues it when the kernel's queue is full; `.full` when ours is too.
    public func transmit(_ frame: CANFrame) throws(CANError) -> CANTransmitOutcome {
        guard socket != nil else { throw .notOpen }
        if frame.isFD && !supportsFD { return .full }
        if !pending.isEmpty {
            return pending.append(frame) ? .accepted : .full
        }
        if try write(frame) { return .accepted }
        return pending.append(frame) ? .accepted : .full
    }

    public var hasPendingOutput: Bool { !pending.isEmpty }

    /// Writes queued frames until the kernel's queue is full again.
    public func flushOutput() throws(CANError) {
        while let frame = pending.first {
            guard try write(frame) else { return }
            pending.removeFirst()
        }
    }

    /// Writes one frame; false when the kernel's queue is full (EAGAIN or ENOBUFS).
    private func write(_ frame: CANFrame) throws(CANError) -> Bool {
        guard let fd = socket?.fd else { throw .notOpen }
        // Zeroed, so a classic frame's padding and reserved bytes go out as the kernel wants.
        var raw = canfd_frame()
        raw.can_id = frame.id
        if frame.isExtended { raw.can_id |= CAN_EFF_FLAG }
        if frame.isRemote { raw.can_id |= CAN_RTR_FLAG }
        let size = frame.isFD ? SocketCANBus.fdFrameSize : SocketCANBus.classicFrameSize
        let length = min(frame.data.count, frame.isFD ? CANFrame.maxFDLength : CANFrame.maxClassicLength)
        raw.len = UInt8(length)
        if frame.isFD && frame.bitRateSwitch { raw.flags = UInt8(CANFD_BRS) }
        if !frame.isRemote {
            withUnsafeMutableBytes(of: &raw.data) { data in
                for index in 0..<length { data[index] = frame.data[index] }
            }
        }
        let outcome: IOResult<Int>
        do throws(RuntimeError) {
            outcome = try withUnsafeBytes(of: &raw) { bytes throws(RuntimeError) in
                try fd.write(UnsafeRawBufferPointer(rebasing: bytes[0..<size]))
            }
        } catch {
            if case .system(_, let errno) = error, errno.rawValue == ENOBUFS { return false }
            throw .from(error)
        }
        switch outcome {
        case .wouldBlock: return false
        case .done(let written):
            // A datagram goes out whole or not at all.
            precondition(written == size, "short write of a CAN frame datagram")
            return true
        }
    }

    /// Restarts a bus-off controller through libsocketcan.
    public func restart() throws(CANError) {
        guard can_do_restart(interface) == 0 else {
            throw .unavailable("cannot restart " + interface + " (only a bus-off controller with restart-ms 0 "
                + "can be restarted, and it needs root or CAP_NET_ADMIN)")
        }
        log.info(interface + ": controller restarted")
    }

    /// A controller that is bus-off, error passive or stopped; else a socket that cannot
    /// see bus errors.
    public var problem: String? {
        let state = controllerState
        switch state {
        case "bus-off", "error-passive", "stopped": return interface + " is " + state
        default: return errorFrameProblem
        }
    }

    /// The controller's state by libsocketcan (`error-active`, `bus-off`, ...), or `unknown`
    /// for interfaces without one (vcan).
    public var controllerState: String {
        var state: Int32 = 0
        guard hasController, can_get_state(interface, &state) == 0 else { return "unknown" }
        switch UInt32(state) {
        case CAN_STATE_ERROR_ACTIVE.rawValue: return "error-active"
        case CAN_STATE_ERROR_WARNING.rawValue: return "error-warning"
        case CAN_STATE_ERROR_PASSIVE.rawValue: return "error-passive"
        case CAN_STATE_BUS_OFF.rawValue: return "bus-off"
        case CAN_STATE_STOPPED.rawValue: return "stopped"
        case CAN_STATE_SLEEPING.rawValue: return "sleeping"
        default: return "unknown"
        }
    }

    /// Interface, FD support, bit rate, controller state and frames waiting.
    public func stateJSON() -> JSONValue {
        var timing = can_bittiming()
        let bitrate: JSONValue = hasController && can_get_bittiming(interface, &timing) == 0 ? .int(timing.bitrate) : .null
        return ["kind": "socketcan", "interface": .string(interface), "fd": .bool(supportsFD),
                "error_frames": .bool(errorFrameProblem == nil),
                "bitrate": bitrate, "controller": .string(controllerState), "tx_pending": .int(pending.count)]
    }

    /// The error classes of an error frame's id, e.g. `bus-off, no ACK`.
    static func describeError(_ classes: UInt32) -> String {
        let names: [(UInt32, String)] = [
            (CAN_ERR_TX_TIMEOUT, "TX timeout"), (CAN_ERR_LOSTARB, "arbitration lost"),
            (CAN_ERR_CRTL, "controller problem"), (CAN_ERR_PROT, "protocol violation"),
            (CAN_ERR_TRX, "transceiver problem"), (CAN_ERR_ACK, "no ACK"), (CAN_ERR_BUSOFF, "bus-off"),
            (CAN_ERR_BUSERROR, "bus error"), (CAN_ERR_RESTARTED, "controller restarted"),
        ]
        var parts: [String] = []
        for (bit, name) in names where classes & bit != 0 { parts.append(name) }
        return parts.isEmpty ? "error frame" : parts.joined(separator: ", ")
    }
}
