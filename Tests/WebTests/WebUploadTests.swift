import Foundation
import JSON
import Runtime
import TestSupport
import Testing
@testable import Web

/// `POST /api/ota` at the HTTP level (the whole path to a committed firmware is in
/// OTATests' OTAWebUploadTests): refused from its headers, streamed to a file that does not
/// outlive the request, one at a time.
@Suite("Dashboard firmware upload", .serialized)
struct WebUploadTests {
    private func token(_ rig: WebRig) throws -> String {
        let page = try rig.get("/").body
        let match = try #require(page.range(of: #"<meta name="csrf" content="[0-9a-f]{32}">"#, options: .regularExpression))
        return String(page[match].suffix(34).prefix(32))
    }

    private func head(_ token: String, length: Int) -> String {
        "POST /api/ota HTTP/1.1\r\nHost: probe\r\nX-CSRF-Token: \(token)\r\nX-Confirm: yes\r\n"
            + "Content-Type: application/octet-stream\r\nContent-Length: \(length)\r\n\r\n"
    }

    @Test("too large is refused before the body; a client that leaves mid-upload leaves no file and no lock; a whole one reaches `ota stage`")
    func uploadsAreBoundedAndCleanedUp() throws {
        let rig = try WebRig()
        let token = try token(rig)
        let file = rig.directory.file("web-upload.tmp")

        let huge = try HTTPProbe(port: rig.port)
        let refused = huge.exchange(Array(head(token, length: WebService.maxUpload + 1).utf8), loop: rig.loop)
        #expect(refused.status == 413, "\(refused)")
        #expect(refused.body.contains("an update file is 1 to"))
        #expect(!FileManager.default.fileExists(atPath: file), "nothing stored for a refused upload")

        // Half an upload, then the client goes.
        var leaving: HTTPProbe? = try HTTPProbe(port: rig.port)
        #expect(leaving!.send(Array(head(token, length: 200_000).utf8) + [UInt8](repeating: 0x41, count: 50_000)))
        #expect(rig.loop.run(timeout: 10) {
            ((try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0) == 50_000
        }, "the body streams to the file as it arrives")
        leaving = nil
        #expect(rig.loop.run(timeout: 10) { !FileManager.default.fileExists(atPath: file) }, "removed when the client left")

        // The next one is taken whole and handed to `ota stage` (no OTA service here: refused by the registry).
        let whole = try HTTPProbe(port: rig.port)
        let answer = whole.exchange(Array(head(token, length: 5000).utf8) + [UInt8](repeating: 0x42, count: 5000), loop: rig.loop)
        #expect(answer.status == 422, "taken, not refused as a second upload: \(answer)")
        #expect(answer.body.contains("ota"), "\(answer.body)")
        #expect(!FileManager.default.fileExists(atPath: file))
        #expect(rig.webState["uploads"]?.intValue == 1)
        #expect(rig.webState["uploads_refused"]?.intValue == 1)
    }
}
