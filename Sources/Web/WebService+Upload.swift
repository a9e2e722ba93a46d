import JSON
import Runtime
import ServiceKit
import Store

/// `POST /api/ota`: a signed update file (`switchyard ota sign`) uploaded from the page and
/// handed to the `ota stage` command, which checks it as it checks an update from MQTT. Who
/// may send it is decided from the headers, before a byte of the body is read: the web
/// password, the page's CSRF token, `X-Confirm: yes` (the page asked), a size an update can
/// have, and one upload at a time. The body streams to a file on the data partition.
extension WebService {
    /// The largest body taken: the largest image OTA takes and its manifest line.
    static let maxUpload = (64 << 20) + 300 * 1024
    /// Where the upload is written (removed once handed over, or when the client leaves).
    var uploadPath: String { context.store.dataDirectory + "/web-upload.tmp" }

    func upload(_ request: HTTPRequest, length: Int) -> HTTPUploadStart? {
        guard request.path == "/api/ota" else { return nil }
        if let refusal = checkLogin(request) {
            stats.uploadsRefused += 1
            return .refuse(refusal)
        }
        func refuse(_ status: Int, _ text: String) -> HTTPUploadStart {
            stats.uploadsRefused += 1
            return .refuse(WebService.actionReply(status, ok: false, text))
        }
        guard !csrfToken.isEmpty, let token = request.csrfToken, WebService.equalInConstantTime(token, csrfToken) else {
            return refuse(403, "this upload needs the token of a page this dashboard served; reload the page")
        }
        guard request.confirmed else { return refuse(409, "a firmware upload must be confirmed (X-Confirm: yes)") }
        guard length > 0 && length <= WebService.maxUpload else {
            return refuse(413, "an update file is 1 to " + String(WebService.maxUpload) + " bytes; this one is "
                + String(length))
        }
        guard !uploading else { return refuse(409, "another firmware upload is under way; wait for it to end") }
        guard context.commandRegistry != nil else { return refuse(503, "the gateway's commands are not available") }
        let sink: WebUploadFile
        do throws(RuntimeError) {
            sink = try WebUploadFile(path: uploadPath) { [self] file, complete in self.uploaded(file, complete: complete) }
        } catch {
            return refuse(507, "cannot store the upload: " + error.description)
        }
        uploading = true
        context.log.info("dashboard: firmware upload of " + String(length) + " bytes from " + request.client.description)
        return .accept(sink)
    }

    /// The upload ended: complete, it goes to `ota stage`; otherwise it is dropped.
    private func uploaded(_ file: WebUploadFile, complete: Bool) -> HTTPResponse {
        uploading = false
        stats.uploadBytes += file.received
        guard complete else {
            if let failure = file.failure {
                stats.actionsFailed += 1
                return WebService.response(507, ok: false, .string("the upload could not be stored: " + failure.description))
            }
            return WebService.response(400, ok: false, .string("the upload ended early"))
        }
        stats.uploads += 1
        guard let registry = context.commandRegistry else {
            return WebService.response(503, ok: false, .string("the gateway's commands are not available"))
        }
        // The command opens the file before it answers, so it may go right after.
        let reply = registry.execute("ota", CommandRequest(origin: .rpc, arguments: ["stage", file.path],
                                                            allowsPrivileged: true))
        if !reply.ok { stats.actionsFailed += 1 }
        context.log.info("dashboard: firmware upload " + (reply.ok ? "accepted" : "refused"))
        return WebService.response(reply.ok ? 200 : 422, ok: reply.ok, reply.output.json)
    }

    /// `{"ok":..,"output":..}` as a plain response.
    static func response(_ status: Int, ok: Bool, _ output: JSONValue) -> HTTPResponse {
        var response = HTTPResponse.text(status, JSONValue.object(["ok": .bool(ok), "output": output]).serialized(),
                                         type: "application/json")
        response.headers.append(("Cache-Control", "no-store"))
        return response
    }
}
