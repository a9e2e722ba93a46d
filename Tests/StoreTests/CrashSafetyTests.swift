import Foundation
@testable import Store
import Testing
import TestSupport

extension StoreSuite {
    /// SIGKILLs `store-torture` (Tests/Tools/store-torture) at random moments while it saves
    /// in a loop, and checks after every kill that the data dir loads complete and consistent.
    @Suite struct CrashSafetyTests {
        static let kills = 250

        // The same keys and long value the tool writes; see its main.swift.
        static let generationKeys = [
            StandardKeys.nodeName, StandardKeys.mqttClientID, StandardKeys.mqttUsername, StandardKeys.consoleDevice,
        ]

        static func longValue(_ generation: Int) -> String {
            let piece = String(generation) + ";"
            var value = "/gen-" + String(generation) + "/"
            while value.utf8.count < 8 * 1024 - 64 { value += piece }
            return value + "#end"
        }

        /// The generation in `store`, checking every generation key and the long value agree.
        static func consistentGeneration(_ store: ConfigStore) -> Int? {
            let name = store.string(StandardKeys.nodeName)
            guard name.hasPrefix("gen-"), let generation = Int(name.dropFirst(4)) else { return nil }
            for key in generationKeys {
                #expect(store.string(key) == name, "\(key.name) disagrees with node.name")
                #expect(store.source(of: key) == .user)
            }
            #expect(store.secretValue(StandardKeys.mqttPassword) == name)
            #expect(store.string(StandardKeys.mqttWebSocketPath) == longValue(generation), "long value torn")
            return generation
        }

        @Test(.timeLimit(.minutes(2)))
        func killedSavesNeverLeaveATornConfig() throws {
            let torture = Products.executable("store-torture")
            try #require(FileManager.default.isExecutableFile(atPath: torture.path), "build store-torture first")
            let directory = TemporaryDirectory(prefix: "store-torture")
            let files = ConfigDirectory(directory.path)
            var firstGeneration: Int? = nil
            var lastGeneration = 0
            var advancingKills = 0
            let started = Date()

            for kill in 0..<Self.kills {
                let child = try RunningProcess(torture, [directory.path], readingOutput: true)
                let ready = try #require(child.readLine(), "store-torture ended before it was ready")
                #expect(ready == "ready \(lastGeneration + 1)", "store-torture did not resume after the saved generation")
                usleep(UInt32.random(in: 1_000...30_000))
                child.signal(SIGKILL)
                let ended = child.wait()
                try #require(ended.killedBySignal && ended.status == SIGKILL,
                             "store-torture ended by itself (status \(ended.status)) at kill \(kill)")

                let store = ConfigStore(dataDirectory: directory.path, environment: { _ in nil })
                if firstGeneration == nil && store.loadOutcome == .noFile { continue }
                // After the first save, `config` itself must always be complete and verified:
                // never the fallback copy, never the defaults.
                try #require(store.loadOutcome == .current,
                             "kill \(kill): loaded \(store.loadOutcome.name): \(store.problems)")
                #expect(store.problems.isEmpty, "kill \(kill): \(store.problems)")
                let generation = try #require(Self.consistentGeneration(store), "kill \(kill): no generation")
                if case .failure(let error) = files.read(files.current) {
                    Issue.record("kill \(kill): \(error.description)")
                }
                // The last good copy, when present, is always a whole generation: an earlier
                // one, or the current one when the kill fell between linking and renaming.
                if case .success(let previous?) = files.read(files.previous) {
                    let previousName = previous["node.name"] ?? ""
                    #expect(previousName.hasPrefix("gen-") && Int(previousName.dropFirst(4))! <= generation)
                    #expect(previous["mqtt.ws_path"] == Self.longValue(Int(previousName.dropFirst(4))!))
                }
                if firstGeneration == nil { firstGeneration = generation }
                #expect(generation >= lastGeneration, "generation went back from \(lastGeneration) to \(generation)")
                if generation > lastGeneration { advancingKills += 1 }
                lastGeneration = generation
            }

            let seconds = Date().timeIntervalSince(started)
            print("store crash test: \(Self.kills) kills in \(Int(seconds * 1000)) ms, "
                + "generation \(lastGeneration), \(advancingKills) kills after a new save")
            let first = try #require(firstGeneration, "store-torture never completed a save")
            // The test means something only if saves kept landing between kills.
            #expect(lastGeneration > first + Self.kills / 3)
            #expect(advancingKills >= Self.kills / 3)
        }
    }
}
