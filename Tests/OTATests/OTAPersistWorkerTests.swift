import Crypto
import Foundation
@testable import OTA
import Runtime
import TestSupport
import Testing

@Suite struct OTAPersistWorkerTests {
    @Test func recordsProgressOffTheLoopAndARestartResumesFromIt() throws {
        let data = TemporaryDirectory(prefix: "ota-worker")
        let paths = OTAPaths(dataDirectory: data.path)
        let key = try Ed25519.PrivateKey.generate()
        let image = testImage()
        let receiver = OTAReceiver(paths: paths, keys: [key.publicKey], node: testNode, runningVersion: "0.1.0", runningSlot: .factory)
        try receiver.accept(manifest: payload(manifest(for: image, version: "0.2.0", key: key)))
        let transfer = try #require(receiver.transfer)
        for index in 0..<20 { _ = try transfer.store(chunk: index, chunk(image, index)) }

        let loop = try EventLoop()
        var outcomes: [OTAPersistWorker.Outcome] = []
        let worker = try OTAPersistWorker(loop: loop) { outcomes.append($0) }
        #expect(transfer.persist(on: worker))
        #expect(loop.run(timeout: 10) { !outcomes.isEmpty })
        #expect(outcomes.first?.received == 20 && outcomes.first?.failure == nil)
        #expect(transfer.unsaved == 0)
        worker.stop()

        let restarted = OTAReceiver(paths: paths, keys: [key.publicKey], node: testNode, runningVersion: "0.1.0", runningSlot: .factory)
        #expect(try restarted.resumeInterrupted())
        #expect(restarted.transfer?.bitmap.received == 20)
    }
}
