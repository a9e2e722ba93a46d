import Foundation
import Testing
import TestSupport

/// `ota push`, `ota sign` and `fleet rollout` read the same inputs (key, image, version) and
/// must refuse a bad one with the same message before touching a broker or a file.
@Suite("OTA release inputs")
struct OTAReleaseInputTests {
    @Test("a bad key, a file that is no ELF, an image without a version stamp: each command says which",
          arguments: [["ota", "push", "--node", "gw-1"], ["ota", "sign", "--node", "gw-1"],
                      ["fleet", "rollout", "--group", "bay"]])
    func refusedInputs(command: [String]) throws {
        let work = TemporaryDirectory()
        let key = work.file("key"), notAKey = work.file("not-a-key"), text = work.file("notes.txt")
        try ChildProcess.run(OTAGatewayFixture.binary, ["ota", "keygen", "--out", key])
        try "hello".write(toFile: notAKey, atomically: true, encoding: .utf8)
        try "not a program".write(toFile: text, atomically: true, encoding: .utf8)
        // The test image is an ELF header for this machine, with no version stamp inside.
        let unstamped = work.file("unstamped")
        try Data(testImage()).write(to: URL(fileURLWithPath: unstamped))
        // Port 1: nothing listens, so a command that got past its checks would fail differently.
        let common = ["--broker", "127.0.0.1:1"]
        let name = "switchyard " + command.joined(separator: " ").components(separatedBy: " --")[0]

        let badKey = try ChildProcess.run(OTAGatewayFixture.binary,
                                          command + common + ["--file", unstamped, "--key", notAKey, "--version", "1.0.0"])
        #expect(badKey.status == 1 && badKey.stderr.contains("\(name): \(notAKey) is not a key file"), "\(badKey.stderr)")
        let notELF = try ChildProcess.run(OTAGatewayFixture.binary,
                                          command + common + ["--file", text, "--key", key, "--version", "1.0.0"])
        #expect(notELF.status == 1 && notELF.stderr.contains("is not an ELF executable"), "\(notELF.stderr)")
        let noStamp = try ChildProcess.run(OTAGatewayFixture.binary, command + common + ["--file", unstamped, "--key", key])
        #expect(noStamp.status == 1 && noStamp.stderr.contains("has no version stamp; say which version it is with --version"),
                "\(noStamp.stderr)")
    }
}
