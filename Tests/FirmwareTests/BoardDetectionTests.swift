import Foundation
import TestSupport
import Testing

/// `switchyard run` as the image starts it (no --config): the board comes from the device
/// tree, here a directory of our own named by SWITCHYARD_DEVICE_TREE, and its defaults from
/// SWITCHYARD_BOARDS/<board>.conf, the repository's own board/<board>/defaults.conf.
@Suite("switchyard run picks its board from the device tree", .serialized)
struct BoardDetectionTests {
    private static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    private func boards() throws -> TemporaryDirectory {
        let directory = TemporaryDirectory(prefix: "boards")
        try FileManager.default.copyItem(atPath: Self.repository.appendingPathComponent("board/rpi4/defaults.conf").path,
                                         toPath: directory.file("rpi4.conf"))
        return directory
    }

    private func state(_ broker: MosquittoBroker, _ gateway: GatewayProcess) throws -> [String: Any]? {
        let deadline = Date().addingTimeInterval(15)
        while Date() < deadline {
            if let text = try MQTTTool.retained(port: broker.port, topic: gateway.stateTopic),
               let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] {
                return object
            }
            usleep(100_000)
        }
        return nil
    }

    @Test("a Raspberry Pi 4 model string selects rpi4 and applies its defaults")
    func detectsFromModel() throws {
        let tree = TemporaryDirectory(prefix: "dt")
        _ = FileManager.default.createFile(atPath: tree.file("model"), contents: Data("Raspberry Pi 4 Model B Rev 1.5\0".utf8))
        let profiles = try boards()
        let broker = try MosquittoBroker()
        let gateway = try GatewayProcess(broker: broker, extraEnvironment: [
            "SWITCHYARD_DEVICE_TREE": tree.path, "SWITCHYARD_BOARDS": profiles.path,
        ])
        let object = try #require(try state(broker, gateway), "\(gateway.log)")
        #expect(object["board"] as? String == "rpi4", "\(gateway.log)")
        #expect(gateway.log.contains("board rpi4 from \(tree.path)/model \"Raspberry Pi 4 Model B Rev 1.5\""))
        // A board default the saved settings do not override shows up: the LED path.
        #expect(gateway.log.contains("/sys/class/leds/ACT"), "\(gateway.log)")
    }

    @Test("SWITCHYARD_BOARD overrides the device tree; an unknown model leaves the defaults")
    func settingWinsAndUnknownIsGeneric() throws {
        let tree = TemporaryDirectory(prefix: "dt")
        _ = FileManager.default.createFile(atPath: tree.file("model"), contents: Data("Acme Frobnicator\0".utf8))
        let profiles = try boards()
        let broker = try MosquittoBroker()
        let unknown = try GatewayProcess(broker: broker, extraEnvironment: [
            "SWITCHYARD_DEVICE_TREE": tree.path, "SWITCHYARD_BOARDS": profiles.path,
        ])
        #expect(try #require(try state(broker, unknown))["board"] as? String == "generic", "\(unknown.log)")
        #expect(unknown.log.contains("\"Acme Frobnicator\" is no board we know"))
        let named = try GatewayProcess(broker: broker, extraEnvironment: [
            "SWITCHYARD_DEVICE_TREE": tree.path, "SWITCHYARD_BOARDS": profiles.path, "SWITCHYARD_BOARD": "rpi4",
        ])
        #expect(try #require(try state(broker, named))["board"] as? String == "rpi4", "\(named.log)")
        #expect(named.log.contains("board rpi4 from board.name setting"))
    }
}
