import Runtime
import SerialPort

/// Where HCI packets go and come from: a raw HCI socket on a kernel adapter, an HCI UART
/// controller on a serial port (H4), or any descriptor already speaking H4 (a socketpair
/// in tests). All three carry the same bytes; only opening and who owns the controller
/// differ, so the scanner above runs unchanged on each.
public final class HCITransport {
    /// How the controller is reached.
    public enum Kind: Equatable {
        /// A kernel adapter through a raw HCI socket: the kernel has initialised it.
        case socket(name: String)
        /// A UART controller: nobody but us talks to it, so we reset and set it up.
        case uart(path: String)
        /// A descriptor handed in (tests, a controller behind a pipe): treated like a UART.
        case descriptor(String)
    }

    public let kind: Kind
    private var owned: OwnedDescriptor?
    private var serial: SerialPort?
    private var outbox: [UInt8] = []
    /// Bound on bytes waiting for a full socket (HCI commands are a few bytes; more means
    /// the controller stopped reading, and the watchdog will reopen us).
    public static let outboxLimit = 4096
    /// Bytes refused because the outbox was full.
    public private(set) var droppedBytes = 0

    private init(kind: Kind, owned: OwnedDescriptor?, serial: SerialPort?) {
        self.kind = kind
        self.owned = owned
        self.serial = serial
    }

    deinit { close() }

    /// Opens what `adapter` names: a path (`/dev/ttyAMA0`) is a UART controller at `baud`,
    /// anything else a kernel adapter (`hci0`).
    public static func open(adapter: String, baud: Int) throws(BLEError) -> HCITransport {
        if adapter.hasPrefix("/") {
            let port: SerialPort
            do throws(SerialPortError) {
                port = try SerialPort(path: adapter)
                try port.configure(baud: baud)
            } catch {
                throw .serial(adapter + ": " + error.description)
            }
            return HCITransport(kind: .uart(path: adapter), owned: nil, serial: port)
        }
        guard let id = BluetoothLibrary.deviceID(adapter) else { throw .noSuchAdapter(adapter) }
        if try BluetoothLibrary.powerOn(deviceID: id) { throw .poweringUp(adapter) }
        let socket = try BluetoothLibrary.openRawSocket(deviceID: id)
        return HCITransport(kind: .socket(name: adapter), owned: socket, serial: nil)
    }

    /// Adopts `descriptor` (non-blocking, speaking H4); closed with the transport.
    public static func adopt(_ descriptor: OwnedDescriptor, label: String) -> HCITransport {
        HCITransport(kind: .descriptor(label), owned: descriptor, serial: nil)
    }

    /// Whether the gateway must reset and configure the controller itself (no kernel in between).
    public var ownsController: Bool {
        if case .socket = kind { return false }
        return true
    }

    /// Whether each read returns one whole packet (a raw HCI socket) rather than whatever
    /// part of the byte stream has arrived (a UART, a pty, a socketpair).
    public var readsWholePackets: Bool {
        if case .socket = kind { return true }
        return false
    }

    /// `hci0`, `/dev/ttyAMA0 (H4)`, ...
    public var label: String {
        switch kind {
        case .socket(let name): return name
        case .uart(let path): return path + " (H4)"
        case .descriptor(let label): return label + " (H4)"
        }
    }

    /// The descriptor to watch; nil once closed.
    public var fileDescriptor: FileDescriptor? {
        if let serial { return serial.fileDescriptor }
        return owned?.fd
    }

    /// Whether bytes wait for the descriptor to become writable.
    public var hasPendingOutput: Bool { !outbox.isEmpty }

    /// Reads what is there into `buffer`.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(BLEError) -> IOResult<Int> {
        guard let fd = fileDescriptor else { return .done(0) }
        do throws(RuntimeError) { return try fd.read(into: buffer) } catch { throw .system(error) }
    }

    /// Queues `packet` and writes what the descriptor takes now; false when it was dropped
    /// because the outbox is full.
    @discardableResult
    public func send(_ packet: [UInt8]) throws(BLEError) -> Bool {
        guard outbox.count + packet.count <= HCITransport.outboxLimit else {
            droppedBytes += packet.count
            return false
        }
        outbox += packet
        try flush()
        return true
    }

    /// Writes queued bytes until the descriptor would block.
    public func flush() throws(BLEError) {
        guard let fd = fileDescriptor else { return }
        while !outbox.isEmpty {
            // withUnsafeBytes does not carry typed throws through: the outcome comes out as a value.
            let outcome: Result<IOResult<Int>, RuntimeError> = outbox.withUnsafeBytes { bytes in
                do throws(RuntimeError) { return .success(try fd.write(bytes)) } catch { return .failure(error) }
            }
            let result: IOResult<Int>
            switch outcome {
            case .success(let value): result = value
            case .failure(let error): throw .system(error)
            }
            switch result {
            case .done(let written):
                if written <= 0 { return }
                outbox.removeFirst(written)
            case .wouldBlock:
                return
            }
        }
    }

    /// Closes the descriptor or port.
    public func close() {
        serial?.close()
        serial = nil
        owned = nil
        outbox.removeAll()
    }
}
