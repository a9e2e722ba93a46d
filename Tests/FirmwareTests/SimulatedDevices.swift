import Foundation
import TestSupport
import Testing

/// The repository's device simulators (tools/), started for a gateway test: an SLCAN
/// adapter and one Benchlab device, each on its own pty.
struct SimulatedDevices {
    let slcan: Subprocess
    let slcanPath: String
    let benchlab: Subprocess
    let benchlabPath: String

    private static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func tool(_ name: String) -> String { repository.appendingPathComponent("tools/\(name)").path }

    /// Starts both; `slcanArguments` go to slcan-sim.py (a frame to emit, how often).
    init(slcanArguments: [String] = []) throws {
        slcan = try Subprocess("/usr/bin/env", ["python3", SimulatedDevices.tool("slcan-sim.py"), "--quiet"] + slcanArguments,
                               stdout: .pipe)
        slcanPath = try #require(slcan.readLine())
        benchlab = try Subprocess("/usr/bin/env", ["python3", SimulatedDevices.tool("benchlab-sim.py"), "--count", "1"],
                                  stdout: .pipe)
        var path: String?
        while path == nil, let line = benchlab.readLine() {
            if line.hasPrefix("device") { path = line.split(separator: " ").last.map(String.init) }
        }
        benchlabPath = try #require(path)
    }
}
