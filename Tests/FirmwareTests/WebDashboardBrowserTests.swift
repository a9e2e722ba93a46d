import Foundation
import TestSupport
import Testing

/// The dashboard as a person sees it: `switchyard run` with CAN, Benchlab and the web service
/// on, the device simulators behind them, and Debian's headless Chromium loading the page.
/// The screenshot lands in build/web-dashboard.png for review.
@Suite("the web dashboard in headless Chromium", .serialized)
struct WebDashboardBrowserTests {
    private static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    private static let chromium = "/usr/bin/chromium"

    /// Runs headless Chromium on `url` with `arguments`; what it printed on stdout.
    private func chromium(_ arguments: [String], url: String, scratch: TemporaryDirectory) throws -> String {
        let output = scratch.file("chromium-\(UUID().uuidString).out")
        // Root needs --no-sandbox; a profile of its own so parallel runs never share one.
        let process = try Subprocess(WebDashboardBrowserTests.chromium, [
            "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
            "--user-data-dir=" + scratch.file("profile"), "--timeout=5000",
        ] + arguments + [url], stdout: .file(output))
        if process.wait(timeout: 60) == nil {
            process.signal(SIGKILL)
            Issue.record("chromium did not finish within 60 s")
        }
        return (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
    }

    private func fetch(_ url: String) throws -> String {
        try ChildProcess.run(URL(fileURLWithPath: "/usr/bin/curl"), ["-s", "--max-time", "5", url]).stdout
    }

    @Test("the page from a running gateway shows its node, uptime and service cards; screenshot under build/",
          .timeLimit(.minutes(2)))
    func chromiumShowsTheGateway() throws {
        guard FileManager.default.isExecutableFile(atPath: WebDashboardBrowserTests.chromium) else {
            Issue.record("no \(WebDashboardBrowserTests.chromium): run toolchain/packages.sh (Debian's chromium)")
            return
        }
        let devices = try SimulatedDevices(slcanArguments: ["--every", "0.2", "--frame", "t1238DEADBEEF01020304"])
        let broker = try MosquittoBroker()
        let data = TemporaryDirectory(prefix: "gateway")
        let webPort = FreePort.next()
        #expect(ChildProcessConfig.set([
            "can.enabled": "true", "can.bus": "slcan", "can.slcan_device": devices.slcanPath, "can.mode": "server",
            "benchlab.enabled": "true", "benchlab.ports": devices.benchlabPath,
            "web.enabled": "true", "web.port": String(webPort),
        ], data: data.path))
        let gateway = try GatewayProcess(broker: broker, data: data)
        let base = "http://127.0.0.1:\(webPort)/"
        #expect(gateway.waitForLog("dashboard on " + base), "\(gateway.log)")

        // Wait until the devices have been heard, so the page has values to show.
        var ready = false
        let deadline = Date().addingTimeInterval(20)
        while !ready && Date() < deadline {
            if let state = try? JSONSerialization.jsonObject(with: Data(try fetch(base + "api/state").utf8)) as? [String: Any],
               let services = state["services"] as? [String: [String: Any]],
               services["can"]?["health"] as? String == "ok", services["benchlab"]?["health"] as? String == "ok",
               (state["uptime_s"] as? Int ?? 0) >= 1 {
                ready = true
            } else {
                usleep(200_000)
            }
        }
        #expect(ready, "CAN and Benchlab healthy on /api/state: \(gateway.log)")

        let scratch = TemporaryDirectory(prefix: "chromium")
        let dom = try chromium(["--dump-dom"], url: base, scratch: scratch)
        #expect(dom.contains("<h1 id=\"node\">\(gateway.node)</h1>"), "the node's name, rendered by the page's script")
        #expect(dom.range(of: #"id="uptime"><span>(\d+m )?\d+s</span>"#, options: .regularExpression) != nil,
                "uptime from the gateway")
        for service in ["can", "benchlab", "web"] {
            #expect(dom.contains("data-service=\"\(service)\""), "a card for \(service)")
        }
        #expect(dom.contains("<span class=\"badge ok\">ok</span>"), "service health badges")
        #expect(dom.contains("data-key=\"bus_state\"><span>open</span>"), "CAN's bus state from its block")

        let build = WebDashboardBrowserTests.repository.appendingPathComponent("build")
        try FileManager.default.createDirectory(at: build, withIntermediateDirectories: true)
        let screenshot = build.appendingPathComponent("web-dashboard.png").path
        try? FileManager.default.removeItem(atPath: screenshot)
        _ = try chromium(["--window-size=1280,1100", "--screenshot=" + screenshot], url: base, scratch: scratch)
        let png = try Data(contentsOf: URL(fileURLWithPath: screenshot))
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]), "a PNG")
        #expect(png.count > 20_000, "a page with content, not a blank one (\(png.count) bytes)")

        gateway.process.signal(SIGTERM)
        #expect(gateway.process.wait(timeout: 10)?.status == 0, "\(gateway.log)")
        _ = devices
    }
}
