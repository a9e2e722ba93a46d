import Foundation

/// tools/mgmt-sim.py as a test peer: the kernel's mgmt channel on a Unix SOCK_SEQPACKET
/// socket (`ble.mgmt_socket`), speaking real mgmt packets. Faults and events are driven
/// through its stdin; what it received is read from its record file (`CMD <opcode> ...`,
/// `PAIR <MAC>`, `KEY ltk <MAC> <hex>`, `LOADED ltk <n> <MAC>=<hex>`, `CANCEL <MAC>`, ...).
public final class MgmtSimulator {
    public let path: String
    private let tool: ToolSimulator
    private let socketDirectory = TemporaryDirectory(prefix: "mgmt-sock")

    /// A simulator whose pairings take `delay` seconds; `fault` is none, auth, silent, already or nobond.
    public init(delay: Double = 0.5, fault: String = "none") throws {
        tool = try ToolSimulator("mgmt-sim.py", ["--socket", socketDirectory.file("mgmt.sock"),
                                                 "--delay", String(delay), "--fault", fault])
        path = tool.firstLine
        precondition(path.hasSuffix("mgmt.sock"), "mgmt-sim did not print its socket path")
    }

    public func quit() { tool.quit() }

    /// Sends a stdin command (`fault auth`, `unpaired MAC`, `raw HEX`, ...).
    public func send(_ text: String) { tool.send(text) }

    public var records: [String] { tool.records }

    /// The commands received, as `opcode index params` hex.
    public var commands: [String] { records.filter { $0.hasPrefix("CMD ") }.map { String($0.dropFirst(4)) } }

    /// The long term key value (hex) the simulated kernel handed out for `mac`, if any.
    public func longTermKey(_ mac: String) -> String? {
        records.last { $0.hasPrefix("KEY ltk " + mac + " ") }.map { String($0.split(separator: " ")[3]) }
    }

    /// The identity resolving key value (hex) handed out for `mac`, if any.
    public func identityKey(_ mac: String) -> String? {
        records.last { $0.hasPrefix("KEY irk " + mac + " ") }.map { String($0.split(separator: " ")[3]) }
    }

    /// Every `LOADED ltk|irk ...` line: what the gateway handed back.
    public func loaded(_ kind: String) -> [String] { records.filter { $0.hasPrefix("LOADED " + kind + " ") } }
}
