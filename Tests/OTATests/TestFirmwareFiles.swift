import Foundation
import TestSupport

/// Firmware files the OTA and fleet fixtures make: a stamped copy of the test-built gateway,
/// and a small gcc-built ELF (a firmware that exits or hangs at start-up).
enum TestFirmwareFiles {
    /// Copies `binary` to `path` and stamps it as `version` with the tool `make firmware
    /// VERSION=...` uses.
    static func stampedCopy(of binary: URL, to path: String, version: String) throws {
        try FileManager.default.copyItem(atPath: binary.path, toPath: path)
        let tool = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("toolchain/stamp-version.py").path
        let stamped = try ChildProcess.run(URL(fileURLWithPath: "/usr/bin/python3"), [tool, path, version])
        guard stamped.status == 0 else { throw FixtureError("stamp-version: \(stamped.stderr)") }
    }

    /// A real ELF built with gcc from `source`, named `name` in `work`.
    static func compiled(_ name: String, _ source: String, in work: TemporaryDirectory) throws -> String {
        let c = work.file(name + ".c")
        try source.write(toFile: c, atomically: true, encoding: .utf8)
        let out = work.file(name)
        let result = try ChildProcess.run(URL(fileURLWithPath: "/usr/bin/gcc"), ["-O2", "-o", out, c])
        guard result.status == 0 else { throw FixtureError("gcc: \(result.stderr)") }
        return out
    }
}
