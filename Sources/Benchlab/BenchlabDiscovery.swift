import SerialPort

/// Which serial ports may hold a Benchlab: those listed with ST's CDC-ACM IDs 0483:5740, and
/// those configured by path (adapters that do not enumerate, simulators). A pure function of
/// the port list, so the service can rescan as often as it likes; the IDs alone prove
/// nothing (other ST gadgets share them): each candidate is confirmed by talking to it.
public struct BenchlabDiscovery: Equatable {
    /// ST Microelectronics' USB vendor ID.
    public static let vendorID: UInt16 = 0x0483
    /// ST's virtual COM port product ID, which Benchlab firmware keeps.
    public static let productID: UInt16 = 0x5740

    /// A port to try.
    public struct Candidate: Equatable {
        public let path: String
        /// Configured rather than found: retried even when it is missing or not a Benchlab.
        public let isExplicit: Bool

        /// A candidate on `path`.
        public init(path: String, isExplicit: Bool) {
            self.path = path
            self.isExplicit = isExplicit
        }
    }

    public let explicitPorts: [String]
    public let discoverByUSB: Bool

    /// Discovery of `explicitPorts`, plus USB-listed ports when `discoverByUSB`.
    public init(explicitPorts: [String], discoverByUSB: Bool) {
        self.explicitPorts = explicitPorts
        self.discoverByUSB = discoverByUSB
    }

    /// Whether `port` carries the Benchlab's USB IDs.
    public static func isBenchlabCandidate(_ port: SerialPortInfo) -> Bool {
        port.transport == .usb && port.matches(vendorID: vendorID, productID: productID)
    }

    /// The configured ports first (in their order), then listed ports with the Benchlab's
    /// USB IDs that are not configured already, sorted by path so devices keep their order.
    public func candidates(listed: [SerialPortInfo]) -> [Candidate] {
        var result = explicitPorts.map { Candidate(path: $0, isExplicit: true) }
        guard discoverByUSB else { return result }
        var found: [String] = []
        for port in listed where BenchlabDiscovery.isBenchlabCandidate(port) && !explicitPorts.contains(port.path) {
            if !found.contains(port.path) { found.append(port.path) }
        }
        for path in found.sorted() { result.append(Candidate(path: path, isExplicit: false)) }
        return result
    }
}
