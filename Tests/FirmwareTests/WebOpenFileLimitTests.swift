import Foundation
import TestSupport
import Testing

/// `web.max_clients` against RLIMIT_NOFILE, on the gateway itself started under `prlimit`:
/// this test process's own limit must not change (other suites run beside it).
@Suite("the dashboard under a low open-file limit", .serialized)
struct WebOpenFileLimitTests {
    /// `switchyard run` with the dashboard on and `web.max_clients` 4096, under `limit`
    /// (`soft:hard`); returns its log and the dashboard's block of `state`.
    private func dashboard(limit: String, broker: MosquittoBroker) throws -> (log: String, state: [String: Any]) {
        let data = TemporaryDirectory(prefix: "gateway-nofile")
        let webPort = FreePort.next()
        #expect(ChildProcessConfig.set([
            "node.name": "nofile", "console.device": "none", "rpc.port": String(FreePort.next()),
            "web.enabled": "true", "web.port": String(webPort), "web.max_clients": "4096",
        ], data: data.path))
        let logPath = data.file("gateway.log")
        let gateway = try Subprocess("/usr/bin/prlimit", [
            "--nofile=" + limit, Products.executable("switchyard").path, "run", "--data", data.path,
        ], environment: ["LOG_LEVEL": "debug", "MQTT_BROKER": "127.0.0.1", "MQTT_PORT": String(broker.port)],
           stdout: .file(logPath), stderr: .file(logPath))
        defer { gateway.signal(SIGTERM) }
        var state: [String: Any]?
        let deadline = Date().addingTimeInterval(15)
        while state == nil && Date() < deadline {
            let body = try ChildProcess.run(URL(fileURLWithPath: "/usr/bin/curl"),
                                            ["-s", "--max-time", "2", "http://127.0.0.1:\(webPort)/api/state"]).stdout
            if let json = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any],
               let services = json["services"] as? [String: [String: Any]],
               let web = services["web"]?["state"] as? [String: Any], web["running"] as? Bool == true {
                state = web
            } else {
                usleep(100_000)
            }
        }
        let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        return (log, try #require(state, "the dashboard answered: \(log)"))
    }

    @Test("web.max_clients over what RLIMIT_NOFILE leaves is lowered with a warning; a soft limit under the hard one is raised",
          .timeLimit(.minutes(1)))
    func maxClientsFitsTheLimit() throws {
        let broker = try MosquittoBroker()

        let capped = try dashboard(limit: "512:512", broker: broker)
        // 512 descriptors, 128 kept for the rest of the gateway.
        #expect(capped.state["max_clients"] as? Int == 384, "\(capped.state)")
        #expect(capped.state["open_file_limit"] as? Int == 512)
        #expect(capped.log.contains("web.max_clients 4096 does not fit the open-file limit 512"), "\(capped.log)")
        #expect(capped.log.contains("serving at most 384 clients"))

        let raised = try dashboard(limit: "512:8192", broker: broker)
        #expect(raised.state["max_clients"] as? Int == 4096, "\(raised.state)")
        #expect(raised.state["open_file_limit"] as? Int == 4096 + 128)
        #expect(raised.log.contains("raised the open-file limit from 512 to 4224"), "\(raised.log)")
    }
}
