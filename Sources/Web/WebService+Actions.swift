import JSON
import Runtime
import ServiceKit
import Store

/// `POST /api/action`: what a person does from the page, run through the same command
/// registry as the console. It needs the page's CSRF token in `X-CSRF-Token` (a form on
/// another site cannot set a header), the web password when one is set (checked before any
/// route; off loopback the dashboard does not start without one), and `"confirm": true` for
/// privileged actions, which the page sends only after asking.
extension WebService {
    func act(_ request: HTTPRequest) -> HTTPReply {
        guard !csrfToken.isEmpty, let token = request.csrfToken, WebService.equalInConstantTime(token, csrfToken) else {
            stats.actionsRefused += 1
            return WebService.actionReply(403, ok: false, "this action needs the token of a page this dashboard served; reload the page")
        }
        guard let registry = context.commandRegistry else {
            return WebService.actionReply(503, ok: false, "the gateway's commands are not available")
        }
        let action: WebAction
        let body: JSONValue
        do throws(JSONError) { body = try JSONValue.parse(request.body) } catch {
            stats.actionsRefused += 1
            return WebService.actionReply(400, ok: false, "the body must be a JSON object")
        }
        do throws(WebError) { action = try WebAction.parse(body, settable: WebSettingsForm.settableKeys(context.store.schema)) } catch {
            stats.actionsRefused += 1
            return WebService.actionReply(400, ok: false, error.description)
        }
        if action.isPrivileged && body["confirm"]?.boolValue != true {
            stats.actionsRefused += 1
            return WebService.actionReply(409, ok: false, action.name + " must be confirmed")
        }
        if case .settings(let settings) = action, let refusal = checkValues(settings) { return refusal }
        // The name only: a setting's value may be a password.
        context.log.info("dashboard: " + action.name + " from " + request.client.description)
        var last = JSONValue.null
        for (name, arguments) in action.commands {
            var answer: CommandReply?
            registry.execute(name, CommandRequest(origin: .rpc, arguments: arguments, allowsPrivileged: true)) { answer = $0 }
            guard let reply = answer else {
                stats.actions += 1
                return WebService.actionReply(202, ok: true, action.name + " started; the page shows how it ends")
            }
            if !reply.ok {
                stats.actionsFailed += 1
                // A setting the store refused (a rule over several keys): said at its field.
                if name == "set", let key = arguments.first {
                    return WebService.settingsRefused([key: .string(WebService.text(reply.output.json))])
                }
                return WebService.actionReply(422, ok: false, reply.output.json)
            }
            last = reply.output.json
        }
        stats.actions += 1
        return WebService.actionReply(200, ok: true, last)
    }

    /// Every value checked by its key's own rule (what `set` checks first) before any is set,
    /// so a form with one wrong field changes nothing and each wrong field gets its message.
    private func checkValues(_ settings: [WebSetting]) -> HTTPReply? {
        var errors = JSONObject()
        for setting in settings {
            guard let key = context.store.schema.key(named: setting.key) else { continue }
            do throws(StoreError) { _ = try key.validate(setting.value) } catch { errors.append(setting.key, .string(error.description)) }
        }
        guard !errors.isEmpty else { return nil }
        stats.actionsFailed += 1
        return WebService.settingsRefused(errors)
    }

    /// 422 with a message per refused field: `{"ok":false,"output":"..","errors":{"mqtt.port":".."}}`.
    static func settingsRefused(_ errors: JSONObject) -> HTTPReply {
        var response = HTTPResponse.text(422, JSONValue.object([
            "ok": .bool(false), "output": .string("nothing changed: " + errors.keys.joined(separator: ", ") + " refused"),
            "errors": .object(errors),
        ]).serialized(), type: "application/json")
        response.headers.append(("Cache-Control", "no-store"))
        return .response(response)
    }

    /// A command's output as one line of text.
    static func text(_ output: JSONValue) -> String { output.stringValue ?? output.serialized() }

    /// `{"ok":..,"output":..}` with `status`.
    static func actionReply(_ status: Int, ok: Bool, _ output: JSONValue) -> HTTPReply {
        .response(response(status, ok: ok, output))
    }

    static func actionReply(_ status: Int, ok: Bool, _ text: String) -> HTTPReply { actionReply(status, ok: ok, .string(text)) }

    /// Compares every byte, so the time taken does not tell how much of a guess was right.
    static func equalInConstantTime(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for index in 0..<x.count { difference |= x[index] ^ y[index] }
        return difference == 0
    }
}

extension WebAction {
    /// For the log and replies: `approve`, `set mqtt.host` (never a value).
    var name: String {
        switch self {
        case .approve: return "approve"
        case .remove: return "remove"
        case .pair: return "pair"
        case .unpair: return "unpair"
        case .restart: return "restart"
        case .bmwLogin: return "bmw login"
        case .settings(let settings): return "set " + settings.map { $0.key }.joined(separator: ", ")
        }
    }
}
