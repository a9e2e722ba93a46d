import Foundation
import Store
import Testing
import TestSupport

extension StoreSuite {
    /// Damage from outside (bad SD card, a hand edit): `config` unusable, `config.prev` good,
    /// or both gone bad.
    @Suite struct CorruptFileTests {
        /// A data dir whose `config.prev` has mqtt.outbox.max_messages=7 and `config` mqtt.outbox.max_messages=8.
        static func twoGoodCopies() throws -> TemporaryDirectory {
            let directory = TemporaryDirectory()
            let store = StoreFixtures.store(directory)
            try store.set("mqtt.outbox.max_messages", to: "7")
            try store.set("mqtt.password", to: "pw-in-the-file")
            try store.save()
            try store.set("mqtt.outbox.max_messages", to: "8")
            try store.save()
            return directory
        }

        static func damage(_ path: String, _ change: (inout [UInt8]) -> Void) {
            var bytes = [UInt8](StoreFixtures.read(path))
            change(&bytes)
            StoreFixtures.write(path, Data(bytes))
        }

        /// Loads `directory`, expecting the last good copy and exactly one alarming line.
        static func expectLastGoodCopy(_ directory: TemporaryDirectory, reason: String) {
            let (store, lines) = LogCapture.lines { StoreFixtures.store(directory) }
            #expect(store.loadOutcome == .lastGoodCopy)
            #expect(store.integer(StandardKeys.mqttOutboxMaxMessages) == 7)
            #expect(store.secretValue(StandardKeys.mqttPassword) == "pw-in-the-file")
            let path = directory.file("config")
            let alarming = LogCapture.alarming(lines)
            #expect(alarming.count == 1, "\(alarming)")
            #expect(alarming.first?.hasSuffix(" WARNING config: " + path + " is corrupt (" + reason
                + "); using the last good copy " + path + ".prev") == true, "\(alarming)")
            #expect(store.problems.count == 1)
        }

        @Test func aFlippedBitFallsBackToTheLastGoodCopy() throws {
            let directory = try Self.twoGoodCopies()
            Self.damage(directory.file("config")) { $0[30] ^= 0x04 }
            Self.expectLastGoodCopy(directory, reason: "checksum mismatch")
        }

        @Test func aDamagedChecksumLineFallsBackToTheLastGoodCopy() throws {
            let directory = try Self.twoGoodCopies()
            Self.damage(directory.file("config")) { $0[$0.count - 5] ^= 0x01 }
            Self.expectLastGoodCopy(directory, reason: "checksum mismatch")
        }

        @Test(arguments: [1, 10, 40, 60])
        func aTruncatedFileFallsBackToTheLastGoodCopy(_ keptPercent: Int) throws {
            let directory = try Self.twoGoodCopies()
            Self.damage(directory.file("config")) { $0 = Array($0.prefix($0.count * keptPercent / 100)) }
            Self.expectLastGoodCopy(directory, reason: "cut short: no checksum line")
        }

        @Test func anEmptyFileFallsBackToTheLastGoodCopy() throws {
            let directory = try Self.twoGoodCopies()
            Self.damage(directory.file("config")) { $0 = [] }
            Self.expectLastGoodCopy(directory, reason: "empty file")
        }

        @Test func garbageFallsBackToTheLastGoodCopy() throws {
            let directory = try Self.twoGoodCopies()
            Self.damage(directory.file("config")) { bytes in
                bytes = (0..<4096).map { _ in UInt8.random(in: 0...255) }
                bytes[bytes.count - 1] = UInt8(ascii: "\n")
            }
            Self.expectLastGoodCopy(directory, reason: "cut short: no checksum line")
        }

        @Test func aFileOfANewerFormatIsNotGuessedAt() throws {
            let directory = try Self.twoGoodCopies()
            StoreFixtures.write(directory.file("config"),
                                StoreFixtures.signedConfig(["mqtt.outbox.max_messages=9"], header: "# switchyard config v2"))
            Self.expectLastGoodCopy(directory, reason: "written in a newer format this firmware cannot read")
        }

        @Test func aSignedButMalformedFileIsCorrupt() throws {
            let directory = try Self.twoGoodCopies()
            StoreFixtures.write(directory.file("config"), StoreFixtures.signedConfig(["mqtt.outbox.max_messages=9", "no equals"]))
            Self.expectLastGoodCopy(directory, reason: "line 3 has no '='")
            StoreFixtures.write(directory.file("config"), StoreFixtures.signedConfig(["mqtt.outbox.max_messages=9\\t"]))
            Self.expectLastGoodCopy(directory, reason: "line 2 has a bad escape")
            StoreFixtures.write(directory.file("config"), StoreFixtures.signedConfig(["mqtt.outbox.max_messages=9", "mqtt.outbox.max_messages=9"]))
            Self.expectLastGoodCopy(directory, reason: "line 3 repeats a key")
        }

        @Test func aMissingFileWithALastGoodCopyUsesIt() throws {
            let directory = try Self.twoGoodCopies()
            try FileManager.default.removeItem(atPath: directory.file("config"))
            let (store, lines) = LogCapture.lines { StoreFixtures.store(directory) }
            #expect(store.loadOutcome == .lastGoodCopy)
            #expect(store.integer(StandardKeys.mqttOutboxMaxMessages) == 7)
            let path = directory.file("config")
            #expect(LogCapture.alarming(lines).count == 1)
            #expect(LogCapture.alarming(lines).first?.hasSuffix(
                "config: " + path + " is missing; using the last good copy " + path + ".prev") == true)
        }

        @Test func anUnreadableFileFallsBackToTheLastGoodCopy() throws {
            // A directory where the file should be: open succeeds, read fails (root ignores
            // permission bits, so chmod 000 would not make the file unreadable here).
            let directory = try Self.twoGoodCopies()
            try FileManager.default.removeItem(atPath: directory.file("config"))
            try FileManager.default.createDirectory(atPath: directory.file("config"), withIntermediateDirectories: false)
            let (store, lines) = LogCapture.lines { StoreFixtures.store(directory) }
            #expect(store.loadOutcome == .lastGoodCopy)
            #expect(store.integer(StandardKeys.mqttOutboxMaxMessages) == 7)
            #expect(LogCapture.alarming(lines).count == 1)
            #expect(LogCapture.alarming(lines).first?.contains("Is a directory") == true)
        }

        @Test func bothCopiesBadMeansDefaultsAndOneErrorLine() throws {
            let directory = try Self.twoGoodCopies()
            Self.damage(directory.file("config")) { $0[30] ^= 0x01 }
            Self.damage(directory.file("config.prev")) { $0 = Array($0.prefix(20)) }
            let (store, lines) = LogCapture.lines { StoreFixtures.store(directory) }
            #expect(store.loadOutcome == .defaultsAfterFailure)
            #expect(store.integer(StandardKeys.mqttOutboxMaxMessages) == 1000)
            #expect(store.secretValue(StandardKeys.mqttPassword) == "")
            let path = directory.file("config")
            let alarming = LogCapture.alarming(lines)
            #expect(alarming.count == 1)
            #expect(alarming.first?.hasSuffix(" ERROR config: " + path + " is corrupt (checksum mismatch), and the last good copy "
                + path + ".prev is corrupt (cut short: no checksum line); using defaults") == true, "\(alarming)")
        }

        @Test func aBadFileWithoutALastGoodCopyMeansDefaults() throws {
            let directory = TemporaryDirectory()
            StoreFixtures.write(directory.file("config"), Data("mqtt.port=1\n".utf8))
            let (store, lines) = LogCapture.lines { StoreFixtures.store(directory) }
            #expect(store.loadOutcome == .defaultsAfterFailure)
            #expect(store.integer(StandardKeys.mqttPort) == 1883)
            let path = directory.file("config")
            #expect(LogCapture.alarming(lines).first?.hasSuffix(
                "config: " + path + " is corrupt (cut short: no checksum line) and there is no last good copy; using defaults") == true)
        }

        @Test func savingAfterAFallbackKeepsTheLastGoodCopy() throws {
            let directory = try Self.twoGoodCopies()
            let lastGood = StoreFixtures.read(directory.file("config.prev"))
            Self.damage(directory.file("config")) { $0[30] ^= 0x04 }
            let store = StoreFixtures.store(directory)
            #expect(store.loadOutcome == .lastGoodCopy)
            try store.set("rpc.port", to: "4600")
            try store.save()
            // The damaged file was replaced, not promoted to last good copy.
            #expect(StoreFixtures.read(directory.file("config.prev")) == lastGood)
            let reloaded = StoreFixtures.store(directory)
            #expect(reloaded.loadOutcome == .current)
            #expect(reloaded.integer(StandardKeys.rpcPort) == 4600)
            #expect(reloaded.integer(StandardKeys.mqttOutboxMaxMessages) == 7)
        }

        @Test func anOversizedFileIsRejectedUnread() throws {
            let directory = try Self.twoGoodCopies()
            Self.damage(directory.file("config")) { $0 = [UInt8](repeating: UInt8(ascii: "#"), count: (1 << 20) + 10) }
            Self.expectLastGoodCopy(directory, reason: "larger than 1 MiB")
        }
    }
}
