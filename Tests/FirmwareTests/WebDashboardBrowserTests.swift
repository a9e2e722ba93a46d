import Foundation
import TestSupport
import Testing

/// The dashboard as a person sees it: `switchyard run` with CAN, Benchlab and the web service
/// on, the device simulators behind them, and Debian's headless Chromium loading the page.
/// The screenshots land in build/web-dashboard.png (1280 px) and build/web-dashboard-360.png.
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

    /// The readings the page shows: `data-reading` key to its value and unit.
    private func readings(_ dom: String) -> [String: (value: String, unit: String)] {
        let pattern = #"data-reading="([^"]+)"><span class="n">[^<]*</span><b(?: class="t")?>([^<]*)</b>(?:<small> ([^<]*)</small>)?"#
        let regex = try! NSRegularExpression(pattern: pattern)
        var found: [String: (value: String, unit: String)] = [:]
        for match in regex.matches(in: dom, range: NSRange(dom.startIndex..., in: dom)) {
            let text = { (i: Int) in Range(match.range(at: i), in: dom).map { String(dom[$0]) } ?? "" }
            found[text(1)] = (text(2), text(3))
        }
        return found
    }

    @Test("the page from a running gateway shows readings first, changing, fitting 1280 and 360 px; screenshots under build/",
          .timeLimit(.minutes(2)))
    func chromiumShowsTheGateway() throws {
        guard FileManager.default.isExecutableFile(atPath: WebDashboardBrowserTests.chromium) else {
            Issue.record("no \(WebDashboardBrowserTests.chromium): run toolchain/packages.sh (Debian's chromium)")
            return
        }
        let devices = try SimulatedDevices(slcanArguments: ["--every", "0.2", "--frame", "t1238DEADBEEF01020304"])
        let radio = try HCISimulator()
        // The local broker stands in for Škoda's (plain MQTT 5), the test server for its token refresh.
        let skodaCloud = try HTTPTestServer()
        let vin = "TMBJB9NY6RF999999"
        let broker = try MosquittoBroker()
        let data = TemporaryDirectory(prefix: "gateway")
        let webPort = FreePort.next()
        // A MySkoda user id is a UUID (`config set` checks it).
        let user = "50f8b18c-d444-422c-998f-2b599f4f0ec7"
        #expect(ChildProcessConfig.set([
            "can.enabled": "true", "can.bus": "slcan", "can.slcan_device": devices.slcanPath, "can.mode": "server",
            "benchlab.enabled": "true", "benchlab.ports": devices.benchlabPath,
            "web.enabled": "true", "web.port": String(webPort),
            "ble.enabled": "true", "ble.adapter": radio.path, "ble.publish_interval_s": "0",
            "skoda.enabled": "true", "skoda.user_id": user, "skoda.vins": vin, "skoda.refresh_token": "r", "skoda.fcm_token": "f",
            "skoda.refresh_url": skodaCloud.url("/api/v1/authentication/refresh-token?tokenType=CONNECT"),
            "skoda.mqtt_host": "127.0.0.1", "skoda.mqtt_port": String(broker.port), "skoda.mqtt_tls": "false",
        ], data: data.path))
        let gateway = try GatewayProcess(broker: broker, data: data)
        let base = "http://127.0.0.1:\(webPort)/"
        #expect(gateway.waitForLog("dashboard on " + base), "\(gateway.log)")

        // Retained, so the car's service gets it whenever its cloud session subscribes.
        func charge(_ soc: Int, trace: String) throws {
            try MQTTTool.publish(port: broker.port, topic: "\(user)/\(vin)/service-event/charging", message: """
                {"version": 1, "traceId": "\(trace)", "timestamp": "2026-12-06T10:00:00Z", "producer": "SKODA_MHUB",
                 "name": "change-soc", "data": {"mode": "manual", "state": "charging", "soc": "\(soc)",
                 "chargedRange": "\(soc * 3)", "timeToFinish": "25", "userId": "\(user)", "vin": "\(vin)"}}
                """, retain: true)
        }
        try charge(74, trace: UUID().uuidString.lowercased())

        // Wait until the devices have been heard, so the page has values to show.
        var ready = false
        let deadline = Date().addingTimeInterval(20)
        let thermometer = "A4:C1:38:00:00:01"
        while !ready && Date() < deadline {
            radio.send("sensors")
            if let state = try? JSONSerialization.jsonObject(with: Data(try fetch(base + "api/state").utf8)) as? [String: Any],
               let services = state["services"] as? [String: [String: Any]],
               services["can"]?["health"] as? String == "ok", services["benchlab"]?["health"] as? String == "ok",
               (services["ble"]?["readings"] as? [[String: Any]])?.contains(where: { $0["id"] as? String == thermometer }) == true,
               (services["skoda"]?["readings"] as? [[String: Any]])?.isEmpty == false,
               (state["uptime_s"] as? Int ?? 0) >= 1 {
                ready = true
            } else {
                usleep(200_000)
            }
        }
        #expect(ready, "CAN and Benchlab healthy, a BLE thermometer heard, a Škoda charging, on /api/state: \(gateway.log)")

        let scratch = TemporaryDirectory(prefix: "chromium")
        let dom = try chromium(["--window-size=1280,1100", "--dump-dom"], url: base, scratch: scratch)
        #expect(dom.contains("<h1 id=\"node\">\(gateway.node)</h1>"), "the node's name, rendered by the page's script")
        #expect(dom.range(of: #"id="uptime"><span>(\d+m )?\d+s</span>"#, options: .regularExpression) != nil,
                "uptime from the gateway")
        for service in ["can", "benchlab", "web"] {
            #expect(dom.contains("data-service=\"\(service)\""), "a card for \(service)")
        }
        #expect(dom.contains("<span class=\"badge ok\">ok</span>"), "service health badges")
        #expect(dom.contains("data-key=\"bus_state\"><span>open</span>"), "CAN's bus state, in its details")
        #expect(dom.contains("data-fits=\"yes\""), "no horizontal scrollbar at 1280 px")
        // The actions people come for: the firmware upload and the settings forms from the catalogue.
        #expect(dom.contains("<form id=\"ota\">") && dom.contains("type=\"file\" name=\"update\""), "the firmware upload form")
        #expect(dom.contains("data-form=\"mqtt\"") && dom.contains("name=\"mqtt.host\""), "the MQTT broker form")
        #expect(dom.contains("id=\"otastate\" class=\"sub\">running "), "where the firmware stands")

        // Readings first, before the service cards: the CAN frame rate and a Benchlab power,
        // large, with their units, and both changing while the page is open.
        let readingsAt = dom.range(of: "id=\"readings\"")?.lowerBound, cardsAt = dom.range(of: "id=\"cards\"")?.lowerBound
        #expect(readingsAt != nil && cardsAt != nil && readingsAt! < cardsAt!, "the readings come first")
        let first = readings(dom)
        let power = first.keys.first { $0.hasPrefix("benchlab/") && $0.hasSuffix("/sys_power") }
        let frames = first.keys.first { $0.hasPrefix("can/") && $0.hasSuffix("/rx_total") }
        #expect(power != nil && first[power!]?.unit == "W", "a Benchlab power in W: \(first)")
        #expect(first.keys.contains { $0.hasPrefix("can/") && $0.hasSuffix("/rx_rate") }, "the CAN frame rate: \(first)")
        #expect(first.first { $0.key.hasPrefix("can/") && $0.key.hasSuffix("/id_123") }?.value.value == "DEADBEEF01020304",
                "the last frame of the simulator's id: \(first)")
        let temperature = "ble/\(thermometer)/temperature"
        #expect(first[temperature]?.value == "25" && first[temperature]?.unit == "°C", "the BLE temperature: \(first)")
        // The thermometer reports 26.04 °C (BTHome: 0x02 temperature 2604 × 0.01).
        radio.send("advert 0201060A16D2FC40022C0A03BF13 \(thermometer) -58")
        let soc = "skoda/\(vin)/soc"
        #expect(first[soc]?.value == "74" && first[soc]?.unit == "%", "the car's state of charge: \(first)")
        try charge(77, trace: UUID().uuidString.lowercased())
        var changed = false
        let changeDeadline = Date().addingTimeInterval(20)
        var later = first
        while !changed && Date() < changeDeadline {
            usleep(1_000_000)
            later = readings(try chromium(["--window-size=1280,1100", "--dump-dom"], url: base, scratch: scratch))
            changed = later[temperature]?.value == "26.04" && later[soc]?.value == "77"
                && power.map { later[$0]?.value != first[$0]?.value } == true
                && frames.map { later[$0]?.value != first[$0]?.value } == true
        }
        #expect(changed, "the BLE temperature, the car's charge, the Benchlab power and the CAN frames change over time: \(first) then \(later)")
        let rate = later.first { $0.key.hasSuffix("/rx_rate") }?.value.value
        #expect(rate.flatMap { Double($0) }.map { $0 > 0 } == true, "frames/s above zero while the simulator sends: \(later)")

        let phone = try chromium(["--window-size=360,800", "--dump-dom"], url: base, scratch: scratch)
        #expect(phone.contains("data-fits=\"yes\""), "no horizontal scrollbar at 360 px")
        #expect(readings(phone)[power ?? ""] != nil, "the readings at phone width too")

        // /metrics as Prometheus reads it, with the services' declared metrics.
        let exposition = try PrometheusExposition(try fetch(base + "metrics"))
        #expect(exposition.families["switchyard_can_frames_from_bus_total"]?.type == "counter")
        #expect((exposition.families["switchyard_can_frames_from_bus_total"]?.samples.first?.value ?? 0) > 0)
        #expect(exposition.families["switchyard_benchlab_power_watts"]?.type == "gauge")
        #expect(exposition.families["switchyard_uplink_connected"]?.samples.first?.value == 1)
        #expect((exposition.families["switchyard_ble_adverts_decoded_total"]?.samples.first?.value ?? 0) > 0)
        #expect(exposition.families["switchyard_ble_devices"]?.type == "gauge")
        #expect(exposition.families["switchyard_skoda_events_total"]?.type == "counter")
        #expect((exposition.families["switchyard_skoda_events_total"]?.samples.first?.value ?? 0) > 0, "the car's events counted")

        // Approve the thermometer from the page: its button, a POST with the page's token, the
        // bcms command; the page then shows it approved, and the gateway saved it.
        let approval = try ChromiumPage.click("[data-group=\"ble/\(thermometer)\"] button[data-action=\"approve\"]", url: base,
                                              width: 360, height: 800,
                                              waitFor: "[data-group=\"ble/\(thermometer)\"] .badge.approved", scratch: scratch)
        #expect(approval.clicked, "the Approve button is on the page")
        #expect(approval.after, "the device shows approved after the click: \(approval.message)")
        #expect(approval.fits, "no horizontal scrollbar at 360 px on a live page")
        #expect(gateway.waitForLog("dashboard: approve from"), "the action went through the dashboard")

        let build = WebDashboardBrowserTests.repository.appendingPathComponent("build")
        try FileManager.default.createDirectory(at: build, withIntermediateDirectories: true)
        for (name, size) in [("web-dashboard.png", "1280,1100"), ("web-dashboard-360.png", "360,1400")] {
            let screenshot = build.appendingPathComponent(name).path
            try? FileManager.default.removeItem(atPath: screenshot)
            _ = try chromium(["--window-size=" + size, "--screenshot=" + screenshot], url: base, scratch: scratch)
            let png = try Data(contentsOf: URL(fileURLWithPath: screenshot))
            #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]), "a PNG")
            #expect(png.count > 20_000, "a page with content, not a blank one (\(png.count) bytes)")
        }

        let page = try fetch(base)
        #expect(page.utf8.count < 60_000, "page weight under 60 KB with its snapshot: \(page.utf8.count) bytes")
        print("dashboard page weight: \(page.utf8.count) bytes with its snapshot (\(try fetch(base + "api/state").utf8.count) of state)")

        // The connection badge tells the truth: live while the stream is open, reconnecting
        // once the gateway has gone (the browser keeps retrying).
        let live = try ChromiumPage.click("-", url: base, width: 1280, height: 800, waitFor: "#live[data-live=\"live\"]",
                                          scratch: scratch)
        #expect(live.after, "the badge says live while the stream is open")
        let gone = try ChromiumPage.click("-", url: base, width: 1280, height: 800, waitFor: "#live[data-live=\"reconnecting\"]",
                                          scratch: scratch) {
            gateway.process.signal(SIGTERM)
        }
        #expect(gone.after, "the badge says reconnecting when the gateway has gone")
        #expect(gateway.process.wait(timeout: 10)?.status == 0, "\(gateway.log)")
        _ = devices
    }
}
