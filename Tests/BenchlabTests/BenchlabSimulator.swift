import Foundation
import TestSupport

/// tools/benchlab-sim.py as a child process: pseudo-terminal Benchlab devices behind stable
/// symlinks (`link`), steered through its control FIFO. Killed when released.
final class BenchlabSimulator {
    struct Device {
        let index: Int
        var slavePath: String
        /// The stable path to configure (`benchlab.ports`); it follows replugs.
        let link: String
        let model: String
        let firmware: Int
        let uid: String
    }

    private let process: Subprocess
    let directory = TemporaryDirectory(prefix: "benchlab-sim")
    private(set) var devices: [Device] = []
    private let control: String

    static var scriptPath: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("tools/benchlab-sim.py").path
    }

    /// Starts one simulated device per spec (`original:5`, `bl2:7`, `original:2:<24 hex UID>`).
    init(_ specs: [String]) throws {
        control = directory.file("control")
        var arguments = [BenchlabSimulator.scriptPath, "--steady", "--link-dir", directory.path, "--control", control]
        for spec in specs { arguments += ["--device", spec] }
        process = try Subprocess("/usr/bin/python3", arguments, stdout: .pipe,
                                 stderr: .file(directory.file("stderr.log")))
        while let line = process.readLine() {
            if line == "ready" { return }
            if let device = BenchlabSimulator.parseDevice(line) { devices.append(device) }
        }
        throw SimulatorError.exited(log: (try? String(contentsOfFile: directory.file("stderr.log"), encoding: .utf8)) ?? "")
    }

    deinit {
        process.signal(SIGKILL)
        process.wait()
    }

    /// `device N MODEL FW UID SLAVE LINK`.
    private static func parseDevice(_ line: String) -> Device? {
        let words = line.split(separator: " ").map(String.init)
        guard words.count == 7, words[0] == "device", let index = Int(words[1]), let firmware = Int(words[3]) else {
            return nil
        }
        return Device(index: index, slavePath: words[5], link: words[6], model: words[2], firmware: firmware,
                      uid: words[4])
    }

    /// Sends one command and waits for its `ok`; returns the lines printed before it.
    @discardableResult
    func command(_ text: String) throws -> [String] {
        let fd = open(control, O_WRONLY)
        guard fd >= 0 else { throw SimulatorError.control(errno) }
        let line = Array((text + "\n").utf8)
        _ = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        var output: [String] = []
        while let reply = process.readLine() {
            if reply == "ok " + text { return output }
            if reply.hasPrefix("error") { throw SimulatorError.refused(reply) }
            if let device = BenchlabSimulator.parseDevice(reply) { devices[device.index] = device }
            output.append(reply)
        }
        throw SimulatorError.exited(log: "")
    }

    func setValues(_ index: Int, _ values: BenchlabRawValues) throws {
        try command("values \(index) \(values.json)")
    }

    func fault(_ index: Int, _ mode: String) throws { try command("fault \(index) \(mode)") }
    func unplug(_ index: Int) throws { try command("unplug \(index)") }
    func replug(_ index: Int) throws { try command("replug \(index)") }

    /// READ_SENSORS replies sent so far by device `index`.
    func sensorReplies(_ index: Int) throws -> Int {
        let lines = try command("stats \(index)")
        guard let line = lines.first(where: { $0.hasPrefix("stats") }),
              let field = line.split(separator: " ").first(where: { $0.hasPrefix("sensors=") }),
              let count = Int(field.dropFirst("sensors=".count)) else { return -1 }
        return count
    }

    enum SimulatorError: Error, CustomStringConvertible {
        case exited(log: String)
        case control(Int32)
        case refused(String)
        var description: String {
            switch self {
            case .exited(let log): return "benchlab-sim.py exited:\n\(log)"
            case .control(let errno): return "cannot open the simulator's control FIFO: errno \(errno)"
            case .refused(let line): return "simulator refused a command: \(line)"
            }
        }
    }
}
