import Foundation
import OTA
import TestSupport
import Testing

/// Issue 28: a firmware uploaded on the dashboard, under `switchyard supervise`, with the
/// web password set. The file is what `switchyard ota sign` writes; the gateway checks it
/// as it checks an update from MQTT, installs it on trial, restarts into it and commits it.
@Suite struct OTAWebUploadTests {
    static let user = "admin"
    static let password = "upload-test-password"

    /// POSTs `file` to `/api/ota` with curl (a real HTTP client); the status and the body.
    func upload(_ base: String, _ file: String, token: String?, confirm: Bool = true,
                login: Bool = true) throws -> (status: Int, body: String) {
        var arguments = ["-s", "--max-time", "120", "-X", "POST", "--data-binary", "@" + file,
                         "-H", "Content-Type: application/octet-stream", "-w", "\n%{http_code}"]
        if login { arguments += ["-u", OTAWebUploadTests.user + ":" + OTAWebUploadTests.password] }
        if let token { arguments += ["-H", "X-CSRF-Token: " + token] }
        if confirm { arguments += ["-H", "X-Confirm: yes"] }
        let result = try ChildProcess.run(URL(fileURLWithPath: "/usr/bin/curl"), arguments + [base + "api/ota"])
        let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        return (Int(lines.last ?? "") ?? 0, lines.dropLast().joined(separator: "\n"))
    }

    func get(_ url: String) throws -> String {
        try ChildProcess.run(URL(fileURLWithPath: "/usr/bin/curl"),
                             ["-s", "--max-time", "5", "-u", OTAWebUploadTests.user + ":" + OTAWebUploadTests.password, url]).stdout
    }

    /// `switchyard ota sign` of `image` for the gateway, with `key`; the update file's path.
    func sign(_ gateway: OTAGatewayFixture, _ image: String, key: String, out: String) throws -> String {
        let path = gateway.work.file(out)
        let result = try ChildProcess.run(OTAGatewayFixture.binary, ["ota", "sign", "--file", image, "--key", key,
                                                                     "--node", gateway.node, "--out", path])
        #expect(result.status == 0, "ota sign: \(result.stderr)")
        #expect(result.stdout.contains("wrote \(path): version"), "\(result.stdout)")
        return path
    }

    @Test(.timeLimit(.minutes(3)))
    func aSignedFirmwareUploadedOnTheDashboardIsCommittedAndABadSignatureIsRefused() throws {
        let webPort = FreePort.next()
        let gateway = try OTAGatewayFixture(extra: ["web.enabled": "true", "web.port": String(webPort),
                                                    "web.password": OTAWebUploadTests.password])
        try gateway.startSupervisor()
        let base = "http://127.0.0.1:\(webPort)/"
        #expect(gateway.waitForLog("slot factory reported healthy"), "\(gateway.log)")
        #expect(gateway.waitForLog("dashboard on " + base), "\(gateway.log)")

        let page = try get(base)
        #expect(page.contains("<form id=\"ota\">"), "the page has the firmware upload form")
        let match = page.range(of: #"name="csrf" content="[0-9a-f]{32}""#, options: .regularExpression)
        let token = try #require(match.map { String(page[$0].dropFirst(21).dropLast()) }, "the page's CSRF token")

        let v2 = try gateway.patchedGateway(version: "0.2.0")
        let good = try sign(gateway, v2, key: gateway.keyPath, out: "v2.update")
        let stranger = gateway.work.file("stranger")
        _ = try ChildProcess.run(OTAGatewayFixture.binary, ["ota", "keygen", "--out", stranger])
        let forged = try sign(gateway, v2, key: stranger, out: "forged.update")

        // Refused from the headers, before the body: no password, no token, not confirmed.
        #expect(try upload(base, good, token: token, login: false).status == 401)
        let noToken = try upload(base, good, token: nil)
        #expect(noToken.status == 403 && noToken.body.contains("token"), "\(noToken)")
        let unconfirmed = try upload(base, good, token: token, confirm: false)
        #expect(unconfirmed.status == 409 && unconfirmed.body.contains("confirmed"), "\(unconfirmed)")

        // The bare image, not the signed file: nothing to check it against.
        let bare = try upload(base, v2, token: token)
        #expect(bare.status == 422 && bare.body.contains("not an update file from `switchyard ota sign`"), "\(bare)")

        // Signed by a key the gateway does not trust: refused with the reason, nothing kept.
        let refused = try upload(base, forged, token: token)
        #expect(refused.status == 422, "\(refused)")
        #expect(refused.body.contains("bad signature: the manifest is not signed by a configured OTA key"), "\(refused)")
        #expect(!FileManager.default.fileExists(atPath: gateway.data.file("web-upload.tmp")), "the upload is not kept")
        #expect(try gateway.record().active == .factory)
        #expect(gateway.waitForStatus { $0["state"]?.stringValue == "refused" } != nil)

        // The good one: accepted, written into slot a, checked, installed, restarted into, committed.
        let accepted = try upload(base, good, token: token)
        #expect(accepted.status == 200 && accepted.body.contains("accepted 0.2.0"), "\(accepted)\n\(gateway.log)")
        #expect(gateway.waitForStatus(timeout: 60) {
            $0["state"]?.stringValue == "committed" && $0["running"]?.stringValue == "0.2.0"
        } != nil, "\(gateway.log)")
        let record = try gateway.record()
        #expect(record.active == .a && !record.trial && record.slotA.status == .good && record.slotA.version == "0.2.0")
        #expect(!FileManager.default.fileExists(atPath: gateway.data.file("web-upload.tmp")))
        // The dashboard of the new firmware says so.
        #expect(gateway.waitForLog("dashboard on " + base, count: 2), "\(gateway.log)")
        let state = try get(base + "api/state")
        #expect(state.contains("\"running\":\"0.2.0\""), "\(state)")

        // /metrics of the new firmware: the update's counters typed as Prometheus wants them
        // (the refused manifest was counted by the firmware before it, which has restarted).
        let exposition = try PrometheusExposition(try get(base + "metrics"))
        for name in ["switchyard_ota_manifests_total", "switchyard_ota_refused_total", "switchyard_ota_chunks_total"] {
            #expect(exposition.families[name]?.type == "counter", "\(name) in \(exposition.families.keys.sorted())")
        }
        #expect(exposition.families["switchyard_ota_on_trial"]?.type == "gauge")
        #expect(exposition.families["switchyard_ota_on_trial"]?.samples.first?.value == 0, "committed, not on trial")
        #expect(exposition.families["switchyard_web_uploads_total"]?.type == "counter")
    }
}
