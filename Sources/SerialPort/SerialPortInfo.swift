import CSerialPort

/// What the system knows about one serial port before it is opened: its device path and, for
/// a USB adapter, the IDs and strings its descriptor carries. Discovery matches on these; a
/// pseudo-terminal or an on-board UART has no USB data (`transport == .native`).
public struct SerialPortInfo: Equatable {
    /// How the port is attached to the board.
    public enum Transport: Equatable {
        case native
        case usb
        case bluetooth
    }

    /// Device path, e.g. `/dev/ttyACM0`.
    public var path: String
    public var transport: Transport
    /// USB vendor ID (`0x0483` for ST), nil unless `transport == .usb`.
    public var usbVendorID: UInt16?
    /// USB product ID (`0x5740` for ST's CDC-ACM), nil unless `transport == .usb`.
    public var usbProductID: UInt16?
    /// libserialport's description: the USB product string, or the device name.
    public var description: String?
    /// The USB serial number string, when the device has one.
    public var serialNumber: String?
    public var manufacturer: String?
    public var product: String?

    /// Port information from its parts (tests and discovery build these by hand).
    public init(
        path: String, transport: Transport = .native, usbVendorID: UInt16? = nil, usbProductID: UInt16? = nil,
        description: String? = nil, serialNumber: String? = nil, manufacturer: String? = nil, product: String? = nil
    ) {
        self.path = path
        self.transport = transport
        self.usbVendorID = usbVendorID
        self.usbProductID = usbProductID
        self.description = description
        self.serialNumber = serialNumber
        self.manufacturer = manufacturer
        self.product = product
    }

    /// Whether this is a USB port with exactly these IDs.
    public func matches(vendorID: UInt16, productID: UInt16) -> Bool {
        usbVendorID == vendorID && usbProductID == productID
    }

    /// `0483:5740`-style text (lower-case hex, as lsusb prints it), nil without USB IDs.
    public var usbIDText: String? {
        guard let usbVendorID, let usbProductID else { return nil }
        return SerialPortInfo.hex4(usbVendorID) + ":" + SerialPortInfo.hex4(usbProductID)
    }

    static func hex4(_ value: UInt16) -> String {
        let digits: [Character] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "a", "b", "c", "d", "e", "f"]
        var text = ""
        for shift in stride(from: 12, through: 0, by: -4) {
            text.append(digits[Int((value >> UInt16(shift)) & 0xF)])
        }
        return text
    }

    /// Reads what libserialport knows about `port` (a port from `sp_list_ports`).
    init(libraryPort port: OpaquePointer) {
        self.init(path: SerialPortLibrary.string(sp_get_port_name(port)) ?? "")
        description = SerialPortLibrary.string(sp_get_port_description(port))
        let transport = sp_get_port_transport(port)
        if transport == SP_TRANSPORT_USB {
            self.transport = .usb
            var vendor: Int32 = 0, productID: Int32 = 0
            if sp_get_port_usb_vid_pid(port, &vendor, &productID) == SP_OK {
                usbVendorID = UInt16(truncatingIfNeeded: vendor)
                usbProductID = UInt16(truncatingIfNeeded: productID)
            }
            serialNumber = SerialPortLibrary.string(sp_get_port_usb_serial(port))
            manufacturer = SerialPortLibrary.string(sp_get_port_usb_manufacturer(port))
            product = SerialPortLibrary.string(sp_get_port_usb_product(port))
        } else if transport == SP_TRANSPORT_BLUETOOTH {
            self.transport = .bluetooth
        }
    }
}
