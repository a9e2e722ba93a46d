import Foundation
import TestSupport
import Testing

/// `factory-reset` on the console: two confirmations, the old settings kept beside, a
/// restart on the defaults; refused on every other door.
@Suite("switchyard run: factory-reset from the console", .serialized)
struct FactoryResetTests {
    @Test func resetTakesTwoConfirmationsKeepsACopyAndRestartsOnTheDefaults() throws {
        let broker = try MosquittoBroker()
        let pty = ConsolePty()
        let gateway = try GatewayProcess(broker: broker, consoleDevice: pty.path)
        #expect(ChildProcessConfig.set(["benchlab.poll_s": "7"], data: gateway.data.path))
        #expect(try MQTTTool.waitForRetained(port: broker.port, topic: gateway.statusTopic, equals: "online"))

        // Not over RPC, even authenticated: someone must be at the gateway.
        let remote = try gateway.rpcClient().call("factory-reset", ["erase", "now"])
        #expect(String(describing: remote).contains("only on the console"), "\(remote)")
        // A confirmation out of order starts nothing.
        #expect(pty.ask("factory-reset erase now", expecting: "not confirmed").contains("not confirmed"))
        #expect(FileManager.default.fileExists(atPath: gateway.data.file("config")))

        #expect(pty.ask("factory-reset", expecting: "factory-reset erase").contains("copy is kept"))
        #expect(pty.ask("factory-reset erase", expecting: "factory-reset erase now").contains("sure"))
        #expect(pty.ask("factory-reset erase now", expecting: "restarting").contains("settings reset"))
        #expect(gateway.waitForLog("factory reset: shutting down"), "\(gateway.log)")
        let backup = (try? String(contentsOfFile: gateway.data.file("config.before-reset"), encoding: .utf8)) ?? ""
        #expect(backup.contains("benchlab.poll_s=7"), "the old settings are kept: \(backup)")
        #expect(!FileManager.default.fileExists(atPath: gateway.data.file("config")))
        #expect(!FileManager.default.fileExists(atPath: gateway.data.file("config.prev")))
        // Restarted on the defaults: the node name is the default one again.
        let deadline = Date().addingTimeInterval(15)
        while Date() < deadline && !gateway.log.contains("starting: node switchyard,") { usleep(50_000) }
        #expect(gateway.log.contains("starting: node switchyard,"), "\(gateway.log)")
        #expect(gateway.process.isRunning)
        gateway.process.signal(SIGTERM)
        _ = gateway.process.wait(timeout: 15)
    }
}
