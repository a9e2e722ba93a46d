import Foundation
import TestSupport

/// tools/slcan-sim.py as a test peer: a CANable-like SLCAN adapter on a real pty. Frames
/// are injected through its stdin; what it received from the host is read from its record
/// file (`TX <line>`, `OPEN ...`, `BITRATE S6`, ...).
final class SLCANSimulator {
    let path: String
    private let tool: ToolSimulator

    init(extraArguments: [String] = []) throws {
        // With --quiet the first (and only) line is the pty's path.
        tool = try ToolSimulator("slcan-sim.py", ["--quiet"] + extraArguments)
        path = tool.firstLine
        precondition(path.hasPrefix("/dev/"), "slcan-sim did not print its pty path")
    }

    /// Closes stdin (the simulator exits, its pty hangs up) and reaps it.
    func quit() { tool.quit() }

    /// Sends a frame line (`t1238DEADBEEF01020304`) to the host, as if it came off the bus.
    func emit(_ line: String) { command("frame " + line) }

    /// Sends raw text to the host; `\r`, `\a`, `\n` and `\xHH` are escapes.
    func raw(_ text: String) { command("raw " + text) }

    private func command(_ text: String) { tool.send(text) }

    /// Everything the simulator reported so far.
    var records: [String] { tool.records }

    /// Frame lines the host transmitted (and the adapter accepted), in order.
    var transmitted: [String] {
        records.filter { $0.hasPrefix("TX ") }.map { String($0.dropFirst(3)) }
    }
}
