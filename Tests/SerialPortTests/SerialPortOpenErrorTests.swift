import Foundation
import SerialPort
import TestSupport
import Testing

@Suite("Serial port open errors and listing")
struct SerialPortOpenErrorTests {
    @Test("a missing path fails with notFound and a message naming the path")
    func missingPath() {
        let path = "/dev/ttyBENCHLAB-missing-\(getpid())"
        #expect(throws: SerialPortError.notFound(path: path)) { _ = try SerialPort(path: path) }
        let message = SerialPortError.notFound(path: path).description
        #expect(message == "serial port \(path) not found: No such file or directory")
    }

    @Test("a file that is not a terminal is refused with the reason")
    func notATerminal() throws {
        let directory = TemporaryDirectory(prefix: "serial-file")
        let file = directory.file("plain")
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: file))
        #expect {
            _ = try SerialPort(path: file)
        } throws: { error in
            guard case .openFailed(let path, let reason) = error as? SerialPortError else { return false }
            return path == file && reason.contains("not a terminal")
        }
    }

    @Test("listing ports works and never lists pseudo-terminals")
    func listsPorts() throws {
        let pty = PseudoTerminal()
        let ports = try SerialPort.list()
        #expect(!ports.contains { $0.path == pty.slavePath || $0.path.hasPrefix("/dev/pts/") })
        for port in ports {
            #expect(port.path.hasPrefix("/dev/"))
            if port.transport != .usb { #expect(port.usbVendorID == nil && port.usbProductID == nil) }
        }
    }

    @Test("USB identity matching and its text form")
    func usbIdentity() {
        let benchlab = SerialPortInfo(path: "/dev/ttyACM0", transport: .usb, usbVendorID: 0x0483,
                                      usbProductID: 0x5740, description: "BENCHLAB", serialNumber: "206C35A05250")
        #expect(benchlab.matches(vendorID: 0x0483, productID: 0x5740))
        #expect(!benchlab.matches(vendorID: 0x0483, productID: 0x5741))
        #expect(benchlab.usbIDText == "0483:5740")
        let uart = SerialPortInfo(path: "/dev/ttyAMA0")
        #expect(!uart.matches(vendorID: 0x0483, productID: 0x5740))
        #expect(uart.usbIDText == nil)
        #expect(SerialPortInfo(path: "/dev/ttyUSB0", transport: .usb, usbVendorID: 0x1a86, usbProductID: 0x7523)
                    .usbIDText == "1a86:7523")
    }
}
