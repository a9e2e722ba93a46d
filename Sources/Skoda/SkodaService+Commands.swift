import JSON
import Runtime
import ServiceKit
import Uplink

/// `skoda status`: the connection, the token's expiry (never the token), the last event of
/// each kind, open operations and counters; also the service's `state` block.
extension SkodaService {
    public var commands: [Command] {
        [Command("skoda", usage: "status|refresh",
                 help: "MySkoda push events: connection, token expiry, last events, open operations; refresh fetches a new token.",
                 remote: .readOnly(["", "status"])) {
            [self] request in self.command(request)
        }]
    }

    func command(_ request: CommandRequest) -> CommandReply {
        switch request.argument(0) ?? "status" {
        case "status":
            return context.statusReply(stateJSON())
        case "refresh":
            guard cloud != nil else {
                return .failure(context.notRunningText("the Skoda service",
                                                       enableHint: "set skoda.enabled true, with skoda.user_id and skoda.refresh_token"))
            }
            refresh(reason: "asked for")
            return .text("refreshing the access token")
        default:
            return .failure("usage: skoda status|refresh")
        }
    }

    public func stateJSON() -> JSONValue {
        var object = JSONObject(minimumCapacity: 10)
        object.append("connection", .string(cloud?.client.state.name ?? "stopped"))
        object.append("broker", .string(settings.mqttHost + ":" + String(settings.mqttPort)))
        object.append("user_id", .string(settings.userID))
        object.append("vins", .array(settings.vins.map { .string($0) }))
        object.append("access_token", .string(accessToken == nil ? "none" : "set"))
        object.append("token_expires", accessToken.map { .string(WallClock.iso8601(millisecondsSinceEpoch: $0.expires * 1000)) } ?? .null)
        object.append("token_error", lastRefreshError.map { .string($0) } ?? .null)
        var events = JSONObject(minimumCapacity: lastEvents.count)
        for event in lastEvents { events.append(event.name, .string(event.at)) }
        object.append("last_events", .object(events))
        var open: [JSONValue] = []
        for operation in tracker.open {
            open.append(["vin": .string(operation.vin), "operation": .string(operation.operation),
                         "status": .string(operation.status), "request_id": .string(operation.requestID)])
        }
        object.append("open_operations", .array(open))
        object.append("operations_completed", .int(tracker.completed))
        object.append("operations_failed", .int(tracker.failed))
        object.append("stats", stats.json)
        return .object(object)
    }
}
