import JSON
import Runtime
import SerialPort

/// An SLCAN (Lawicel ASCII) adapter on a serial port: CANable and the other cheap USB
/// adapters. Opening sends `C`, `S<n>`, optionally `Y<n>`, then `O` (or `L` listen-only)
/// and `V`; frames go out as `t`/`T`/`r`/`R`/`d`/`D`/`b`/`B` lines through a bounded
/// output buffer that drains when the port is writable.
///
/// The adapter's replies are the bus's own business (see `SLCANBus+Replies.swift`): the
/// reader passes them to the loop side through a small ring of their own, and the bus turns
/// them into its state (`adapterVersion`), its `problem` (a port that never answers `V`)
/// and generic events for the tunnel to count.
public final class SLCANBus: CANBus {
    public let path: String
    public let bitrate: Int
    public let dataBitrate: Int?
    public let listenOnly: Bool
    /// Adapters answer BEL to FD lines they cannot send, which the tunnel counts.
    public let supportsFD = true
    /// Bytes of commands and frames waiting for the port, at most.
    public let outputLimit: Int
    /// How long the adapter has to answer `V` after opening before it is called silent.
    public let versionTimeout: Interval
    /// What the adapter said its version is, once it did (loop thread).
    public internal(set) var adapterVersion: String?
    /// Set when the adapter stayed silent after `V`: most likely the wrong device (a modem,
    /// a console, another gadget on the same USB ids). Cleared by a late answer.
    public internal(set) var silentAdapter: String?
    var port: SerialPort?
    let log = Logger("can")

    // Replies other than frames, reader thread -> loop thread (rare: a few per open, one
    // per refused frame). Full, it drops and counts like the frame ring.
    let replies: SPSCRing<SLCANReply>
    // Loop thread only.
    var loop: EventLoop?
    var onProblemChange: () -> Void = {}
    var versionTimer: OneShotTimer?

    // Reader thread only.
    private var lines = SLCANLineReader()
    private let readBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 8)

    // Loop thread only.
    private var output: [UInt8] = []
    private var outputStart = 0

    /// An adapter at `path` running at `bitrate` (an `S` code rate, see `SLCANBitrate`).
    public init(path: String, bitrate: Int = CANBusSettings.defaultSLCANBitrate, dataBitrate: Int? = nil,
                listenOnly: Bool = false, outputLimit: Int = 16 * 1024,
                versionTimeout: Interval = .seconds(3)) throws(CANError) {
        guard SLCANBitrate.nominalCode(for: bitrate) != nil else {
            throw .invalidSettings("SLCAN adapters cannot run at " + String(bitrate) + " bit/s; use one of "
                + SLCANBitrate.nominalList)
        }
        if let dataBitrate, SLCANBitrate.dataCode(for: dataBitrate) == nil {
            throw .invalidSettings("SLCAN adapters cannot run a CAN FD data phase at " + String(dataBitrate)
                + " bit/s; use 2000000 or 5000000")
        }
        self.path = path
        self.bitrate = bitrate
        self.dataBitrate = dataBitrate
        self.listenOnly = listenOnly
        self.outputLimit = outputLimit
        self.versionTimeout = versionTimeout
        do throws(RuntimeError) { replies = try SPSCRing<SLCANReply>(capacity: 64) } catch { throw .runtime(error) }
    }

    /// Keeps the loop for the version watchdog and whom to tell when the adapter turns out silent.
    public func attach(to loop: EventLoop, onProblemChange: @escaping () -> Void) {
        self.loop = loop
        self.onProblemChange = onProblemChange
    }

    deinit { readBuffer.deallocate() }

    public var name: String { "slcan " + path }

    public var descriptor: FileDescriptor { port?.fileDescriptor ?? FileDescriptor(-1) }

    /// Opens the serial port and sends the adapter `C`, `S<n>`, [`Y<n>`], `O` or `L`, and `V`.
    public func open() throws(CANError) {
        guard port == nil else { return }
        let opened: SerialPort
        do throws(SerialPortError) {
            opened = try SerialPort(path: path)
            // USB CDC adapters ignore the baud rate; UART ones default to 115200.
            try opened.configure(baud: 115_200)
            try opened.flushInput()
        } catch {
            throw .unavailable(error.description)
        }
        port = opened
        lines.reset()
        output.removeAll(keepingCapacity: true)
        outputStart = 0
        // Close first: an adapter left open by a previous run refuses a bit rate change.
        var setup: [SLCANCommand] = [.close, .bitrate(SLCANBitrate.nominalCode(for: bitrate)!)]
        if let dataBitrate { setup.append(.dataBitrate(SLCANBitrate.dataCode(for: dataBitrate)!)) }
        setup.append(listenOnly ? .openListenOnly : .open)
        setup.append(.version)
        for command in setup { output.append(contentsOf: command.bytes) }
        discardReplies()
        armVersionWatchdog()
        try flushOutput()
    }

    /// Sends `C` (best effort) and closes the port.
    public func close() {
        versionTimer?.cancel()
        versionTimer = nil
        if let port {
            // Best effort: leave the adapter closed so it stops ACKing frames for nobody.
            _ = try? port.write(SLCANCommand.close.bytes)
            port.close()
        }
        port = nil
    }

    /// Reader thread: reads what arrived, splits it into lines and parses them.
    public func receive(_ deliver: (CANBusEvent) -> Void) -> CANReceiveOutcome {
        guard let port else { return .closed("not open") }
        while true {
            let outcome: IOResult<Int>
            do throws(SerialPortError) { outcome = try port.read(into: readBuffer) } catch {
                return .closed(error.description)
            }
            guard case .done(let count) = outcome else { return .drained }
            if count == 0 { return .closed(path + ": end of file") }
            let stamp = WallClock.microsecondsSinceEpoch()
            lines.feed(UnsafeRawBufferPointer(rebasing: readBuffer[0..<count])) { item in
                switch item {
                case .line(let line):
                    if let reply = SLCANCodec.parse(line[...], receivedAt: stamp) {
                        if case .frame(let frame) = reply { deliver(.frame(frame)) } else { pass(reply, deliver) }
                    } else {
                        deliver(.malformed(.slcanGarbage(CANMalformation.sample(line[...]))))
                    }
                case .refusal:
                    pass(.refused, deliver)
                case .overlong(let start):
                    deliver(.malformed(.slcanGarbage(CANMalformation.sample(start[...]))))
                }
            }
            if count < readBuffer.count { return .drained }
        }
    }

    /// Queues the frame's line and writes what the port takes now; `.full` past `outputLimit`.
    public func transmit(_ frame: CANFrame) throws(CANError) -> CANTransmitOutcome {
        guard port != nil else { throw .notOpen }
        let before = output.count
        SLCANCodec.appendFrame(frame, to: &output)
        if output.count - outputStart > outputLimit {
            output.removeLast(output.count - before)
            return .full
        }
        try flushOutput()
        return .accepted
    }

    public var hasPendingOutput: Bool { outputStart < output.count }

    /// Writes what the port takes of the queued lines.
    public func flushOutput() throws(CANError) {
        guard let port else { throw .notOpen }
        guard outputStart < output.count else { return }
        let written: Int
        do throws(SerialPortError) {
            let outcome = output.withUnsafeBytes { raw -> Result<Int, SerialPortError> in
                do throws(SerialPortError) {
                    return .success(try port.write(UnsafeRawBufferPointer(rebasing: raw[outputStart...])))
                } catch {
                    return .failure(error)
                }
            }
            written = try outcome.get()
        } catch {
            throw .unavailable(error.description)
        }
        outputStart += written
        if outputStart == output.count {
            output.removeAll(keepingCapacity: true)
            outputStart = 0
        } else if outputStart > outputLimit {
            output.removeFirst(outputStart)
            outputStart = 0
        }
    }

    /// An SLCAN adapter restarts by closing and opening its channel, which reopening does.
    public func restart() throws(CANError) {}

    /// An adapter that never answered `V` (probably not an SLCAN adapter at all).
    public var problem: String? { silentAdapter }

    /// Device, driver, adapter version, bit rates, mode and bytes waiting to be written.
    public func stateJSON() -> JSONValue {
        var object: JSONObject = ["kind": "slcan", "device": .string(path), "bitrate": .int(bitrate),
                                  "listen_only": .bool(listenOnly), "tx_buffered": .int(output.count - outputStart)]
        if let dataBitrate { object["data_bitrate"] = .int(dataBitrate) }
        if let port { object["driver"] = .string(port.driverName) }
        if let adapterVersion { object["adapter_version"] = .string(adapterVersion) }
        if replies.dropped > 0 { object["replies_dropped"] = .int(replies.dropped) }
        return .object(object)
    }
}
