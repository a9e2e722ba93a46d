import Store
import Testing
import TestSupport

extension StoreSuite {
    /// `set` is the one place every door (CLI, console, RPC, MQTT) goes through, so values
    /// that could never be loaded back, or that would make logs lie, are refused there.
    @Suite struct SetRefusalTests {
        /// Ten free-text keys of a test module, to fill the file past its size limit.
        static let blobs: [ConfigKey<String>] = (0..<10).map {
            .text("test.blob" + String($0), help: "a large value", secret: true)
        }

        static var schema: ConfigSchema {
            var schema = ConfigSchema.standard
            schema.register(blobs.map { $0.any })
            return schema
        }

        @Test func aValueThatWouldOverflowTheSavedFileIsRefusedAndTheStoreKeepsWorking() throws {
            let directory = TemporaryDirectory()
            let store = StoreFixtures.store(directory, schema: Self.schema)
            let big = String(repeating: "a", count: ConfigKind.maximumTextBytes)
            var refused: StoreError?
            for key in Self.blobs {
                do throws(StoreError) { _ = try store.set(key.name, to: big) } catch {
                    refused = error
                    break
                }
            }
            guard case .fileTooLarge(let key, let size, let limit)? = refused else {
                Issue.record("ten 8 KiB values were all accepted: \(String(describing: refused))")
                return
            }
            #expect(size > limit)
            #expect(refused!.description.contains(key) && refused!.description.contains("not set"))
            #expect(!refused!.description.contains(big), "the error never repeats a (secret) value")
            // What was accepted saves and loads back whole: no silent fall-back at the next start.
            try store.save()
            let reopened = StoreFixtures.store(directory, schema: Self.schema)
            #expect(reopened.loadOutcome == .current)
            #expect(reopened.secretValue(Self.blobs[0]) == big)
            #expect(reopened.source(of: Self.blobs.first { $0.name == key }!.any) == .defaultValue)
        }

        @Test func textLongerThanTheLimitIsRefused() {
            let store = StoreFixtures.store(TemporaryDirectory())
            let long = String(repeating: "x", count: ConfigKind.maximumTextBytes + 1)
            #expect(throws: StoreError.self) { try store.set(StandardKeys.mqttUsername.name, to: long) }
            #expect(store.string(StandardKeys.mqttUsername) == "")
        }

        @Test func plainTextIsStillAccepted() throws {
            let store = StoreFixtures.store(TemporaryDirectory())
            _ = try store.set(StandardKeys.mqttUsername.name, to: "gateway user ÄÖÜ #1")
            #expect(store.string(StandardKeys.mqttUsername) == "gateway user ÄÖÜ #1")
        }
    }
}
