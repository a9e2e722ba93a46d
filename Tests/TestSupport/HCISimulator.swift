import Foundation

/// tools/hci-sim.py as a test peer: an HCI UART controller on a real pty, speaking H4.
/// Adverts and faults are driven through its stdin; what it received from the host is read
/// from its record file (`CMD <opcode> <params>`, `SCAN on`, `PARAMS active`, ...).
public final class HCISimulator {
    public let path: String
    private let tool: ToolSimulator

    public init(extraArguments: [String] = []) throws {
        tool = try ToolSimulator("hci-sim.py", ["--quiet"] + extraArguments)
        path = tool.firstLine
        precondition(path.hasPrefix("/dev/"), "hci-sim did not print its pty path")
    }

    public func quit() { tool.quit() }

    /// Sends a stdin command (`sensors`, `silent`, `mute`, `advert HEX MAC RSSI`, ...).
    public func send(_ text: String) { tool.send(text) }

    public var records: [String] { tool.records }

    /// The commands received, as `opcode params` hex.
    public var commands: [String] { records.filter { $0.hasPrefix("CMD ") }.map { String($0.dropFirst(4)) } }

    /// How many times the host enabled scanning.
    public var scanEnables: Int { records.filter { $0 == "SCAN on" }.count }
}
