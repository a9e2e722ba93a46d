import JSON
import Runtime
import SerialPort

/// An SLCAN (Lawicel ASCII) adapter on a serial port: CANable and the other cheap USB
/// adapters. Opening sends `C`, `S<n>`, optionally `Y<n>`, then `O` (or `L` listen-only)
/// and `V`; frames go out as `t`/`T`/`r`/`R`/`d`/`D`/`b`/`B` lines through a bounded
/// output buffer that drains when the port is writable.
public final class SLCANBus: CANBus {
    public let path: String
    public let bitrate: Int
    public let dataBitrate: Int?
    public let listenOnly: Bool
    /// Adapters answer BEL to FD lines they cannot send, which the tunnel counts.
    public let supportsFD = true
    /// It answers `V`: a silent port is the wrong device.
    public var answersVersion: Bool { true }
    /// Bytes of commands and frames waiting for the port, at most.
    public let outputLimit: Int
    private var port: SerialPort?
    private let log = Logger("can")

    // Reader thread only.
    private var lines = SLCANLineReader()
    private let readBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 8)

    // Loop thread only.
    private var output: [UInt8] = []
    private var outputStart = 0

    /// An adapter at `path` running at `bitrate` (an `S` code rate, see `SLCANBitrate`).
    public init(path: String, bitrate: Int = CANBusSettings.defaultSLCANBitrate, dataBitrate: Int? = nil,
                listenOnly: Bool = false, outputLimit: Int = 16 * 1024) throws(CANError) {
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
        try flushOutput()
    }

    /// Sends `C` (best effort) and closes the port.
    public func close() {
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
                        if case .frame(let frame) = reply { deliver(.frame(frame)) } else { deliver(.reply(reply)) }
                    } else {
                        deliver(.malformed(.slcanGarbage(CANMalformation.sample(line[...]))))
                    }
                case .refusal:
                    deliver(.reply(.refused))
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

    public var problem: String? { nil }

    /// Device, driver, bit rates, mode and bytes waiting to be written.
    public func stateJSON() -> JSONValue {
        var object: JSONObject = ["kind": "slcan", "device": .string(path), "bitrate": .int(bitrate),
                                  "listen_only": .bool(listenOnly), "tx_buffered": .int(output.count - outputStart)]
        if let dataBitrate { object["data_bitrate"] = .int(dataBitrate) }
        if let port { object["driver"] = .string(port.driverName) }
        return .object(object)
    }
}
