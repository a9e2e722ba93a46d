import Foundation
import JSON
import Runtime
import ServiceKit
@testable import Skoda
import TestSupport
import Testing

@Suite("Skoda service end to end through local brokers", .serialized)
struct SkodaServiceTests {
    @Test("the seed's examples go through the broker and come out decoded, value by value; no secret leaks")
    func seedExamplesEndToEnd() throws {
        var published: [String] = []
        var statusText = ""
        let (_, logLines) = try LogCapture.lines {
            let rig = try SkodaRig()
            let observer = try MQTTObserver(port: rig.broker.port, topics: ["switchyard/#", "homeassistant/#"])
            rig.host.startAll()
            #expect(rig.waitConnected(), "\(rig.status)")
            #expect(rig.waitSubscribed())
            let base = "switchyard/test/car/" + SkodaSeedExamples.vin + "/"
            for payload in SkodaSeedExamples.changeSoc {
                try MQTTTool.publish(port: rig.broker.port, topic: SkodaSeedExamples.chargingTopic, message: payload)
            }
            // Skoda sometimes sends an event twice: the repeat (same traceId) is dropped.
            try MQTTTool.publish(port: rig.broker.port, topic: SkodaSeedExamples.chargingTopic,
                                 message: SkodaSeedExamples.changeSoc[2])
            try MQTTTool.publish(port: rig.broker.port, topic: SkodaSeedExamples.honkTopic, message: SkodaSeedExamples.flashInProgress)
            try MQTTTool.publish(port: rig.broker.port, topic: SkodaSeedExamples.honkTopic, message: SkodaSeedExamples.honkCompleted)
            try MQTTTool.publish(port: rig.broker.port, topic: SkodaSeedExamples.windowHeatingTopic,
                                 message: SkodaSeedExamples.windowHeatingInProgress)
            try MQTTTool.publish(port: rig.broker.port, topic: SkodaSeedExamples.windowHeatingTopic,
                                 message: SkodaSeedExamples.windowHeatingTimeout)
            try MQTTTool.publish(port: rig.broker.port, topic: SkodaSeedExamples.accessTopic, message: SkodaSeedExamples.changeAccess)
            // Bad input: not JSON, a number that is not one; an unknown event goes raw.
            try MQTTTool.publish(port: rig.broker.port, topic: SkodaSeedExamples.chargingTopic, message: "not json")
            try MQTTTool.publish(port: rig.broker.port, topic: SkodaSeedExamples.chargingTopic,
                                 message: #"{"name":"change-soc","data":{"soc":"abc"}}"#)
            let unknown = #"{"version":1,"name":"change-something-new","data":{"x":"1"}}"#
            try MQTTTool.publish(port: rig.broker.port, topic: SkodaSeedExamples.chargingTopic, message: unknown)

            let announced = ["soc", "range_km", "charging_state", "charging_state_raw", "charge_mode", "charge_mode_raw", "access_changed"]
            let done = rig.loop.run(timeout: 20) {
                observer.lines.contains { $0.hasPrefix(base + "raw/change-something-new ") }
                    && rig.status["stats"]?["malformed"]?.intValue == 2
                    // Wait for the configs too: each goes out when its value first arrives.
                    && announced.allSatisfy { key in observer.lines.contains {
                        $0.hasPrefix("homeassistant/sensor/switchyard_test_skoda_tmbjb9ny6rf999999_\(key)/config ") } }
            }
            #expect(done, "\(observer.lines) \(rig.status)")
            let lines = observer.lines
            func values(_ key: String) -> [String] {
                lines.filter { $0.hasPrefix(base + key + " ") }.map { String($0.dropFirst((base + key + " ").count)) }
            }
            #expect(values("soc") == ["74", "77", "80"])
            #expect(values("range_km") == ["207", "215", "223"])
            #expect(values("minutes_to_finish") == ["25", "15", "0"])
            #expect(values("charging_state") == ["CHARGING", "CHARGING", "READY_FOR_CHARGING"])
            #expect(values("charging_state_raw") == SkodaSeedExamples.changeSocValues.map { $0.3 })
            #expect(values("charge_mode") == ["MANUAL", "MANUAL", "MANUAL"])
            #expect(values("charge_mode_raw") == ["manual", "manual", "manual"])
            #expect(rig.status["stats"]?["duplicates"]?.intValue == 1)
            #expect(values("access_changed") == ["2024-09-09T20:34:53.546Z"])
            let lastSoc = try #require(values("event/change-soc").last)
            let socEvent = try JSONValue.parse(lastSoc)
            #expect(socEvent["timestamp"]?.stringValue == "2024-09-11T21:27:48Z")
            #expect(socEvent["values"]?["soc"]?.intValue == 80)

            let heating = try values("operation/start-window-heating").map { try JSONValue.parse($0) }
            #expect(heating.map { $0["status"]?.stringValue } == ["IN_PROGRESS", "ERROR"])
            #expect(heating.last?["error"]?.stringValue == "timeout")
            #expect(heating.last?["final"]?.boolValue == true)
            #expect((heating.last?["duration_ms"]?.intValue ?? -1) >= 0)
            #expect(heating.last?["request_id"]?.stringValue == "5a16b265-85e7-4502-bd24-c92091c3df31")
            let flash = try values("operation/start-flash").map { try JSONValue.parse($0) }
            #expect(flash.first?["status"]?.stringValue == "IN_PROGRESS" && flash.first?["error"]?.isNull == true)
            let honk = try values("operation/start-honk").map { try JSONValue.parse($0) }
            #expect(honk.first?["status"]?.stringValue == "COMPLETED_SUCCESS")
            #expect(honk.first?["duration_ms"]?.isNull == true, "its IN_PROGRESS was never seen")
            #expect(values("raw/change-something-new") == [unknown])

            let discovery = try #require(lines.first {
                $0.hasPrefix("homeassistant/sensor/switchyard_test_skoda_tmbjb9ny6rf999999_soc/config ")
            })
            let config = try JSONValue.parse(String(discovery.split(separator: " ", maxSplits: 1)[1]))
            #expect(config["unit_of_measurement"]?.stringValue == "%")
            #expect(config["device_class"]?.stringValue == "battery")
            #expect(config["state_class"]?.stringValue == "measurement")
            #expect(config["state_topic"]?.stringValue == base + "soc")
            #expect(config["device"]?["via_device"]?.stringValue == "switchyard_test")
            #expect(config["availability"]?[0]?["topic"]?.stringValue == "switchyard/test/status")
            #expect(config["availability_mode"] == nil, "one availability topic: the gateway's")
            for key in announced {
                #expect(lines.contains { $0.hasPrefix("homeassistant/sensor/switchyard_test_skoda_tmbjb9ny6rf999999_\(key)/config ") },
                        "discovery for \(key)")
            }
            #expect(lines.contains { $0.hasPrefix("homeassistant/binary_sensor/switchyard_test_status/config ") },
                    "the gateway's device is announced")

            let status = rig.status
            #expect(status["open_operations"]?.arrayValue?.count == 1, "start-flash is still open")
            #expect(status["operations_failed"]?.intValue == 1 && status["operations_completed"]?.intValue == 1)
            #expect(status["stats"]?["raw"]?.intValue == 1)
            #expect(status["access_token"]?.stringValue == "set")
            #expect(status["token_expires"]?.stringValue?.hasSuffix("Z") == true)
            #expect(status["last_events"]?["change-soc"] != nil)
            statusText = status.serialized() + rig.host.stateJSON().serialized()
            rig.host.stopAll()
            published = observer.lines
        }
        let everything = published + logLines + [statusText]
        #expect(logLines.contains { $0.contains("malformed") }, "malformed messages are logged")
        for secret in [SkodaRig.configuredRefresh, SkodaRig.fcm, SkodaRig.jwtHeader, "refresh-1-from"] {
            #expect(!everything.contains { $0.contains(secret) }, "\(secret) leaked")
        }
    }

    @Test("token refresh over HTTPS: rotation persisted and used, 401 and garbage handled, restart keeps it")
    func tokenRotation() throws {
        let certificates = try TestCertificates()
        let rig = try SkodaRig(certificates: certificates)
        rig.host.startAll()
        #expect(rig.waitConnected(), "\(rig.status)")
        #expect(rig.refreshBodies == [SkodaRig.configuredRefresh])
        let tokenFile = rig.store.dataDirectory + "/skoda-token"
        let saved = try String(contentsOfFile: tokenFile, encoding: .utf8)
        #expect(saved.contains("refresh-1-from-"))
        let attributes = try FileManager.default.attributesOfItem(atPath: tokenFile)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)

        #expect(rig.command("refresh").ok)
        #expect(rig.loop.run(timeout: 10) { rig.status["stats"]?["token_refreshes"]?.intValue == 2 })
        #expect(rig.refreshBodies.last?.hasPrefix("refresh-1-from-") == true, "the rotated token is used")

        try rig.setMode("401")
        _ = rig.command("refresh")
        #expect(rig.loop.run(timeout: 10) { rig.status["token_error"]?.stringValue?.contains("rejected") == true })
        guard case .degraded(let why)? = rig.host.health(of: "skoda") else {
            Issue.record("health \(String(describing: rig.host.health(of: "skoda")))")
            return
        }
        #expect(why.contains("log in again"))
        try rig.setMode("garbage")
        _ = rig.command("refresh")
        #expect(rig.loop.run(timeout: 10) { rig.status["token_error"]?.stringValue?.contains("unusable") == true })
        #expect(rig.status["stats"]?["token_refresh_failures"]?.intValue == 2)
        try rig.setMode("ok")
        _ = rig.command("refresh")
        #expect(rig.loop.run(timeout: 10) { rig.status["token_error"]?.isNull == true })
        let rotated = try #require(rig.refreshBodies.last)

        // A new instance (gateway restart) starts from the saved rotation, not the configured token.
        let before = rig.refreshBodies.count
        rig.host.stopAll()
        rig.host = rig.rig.makeHost()
        rig.host.startAll()
        #expect(rig.loop.run(timeout: 10) { rig.refreshBodies.count == before + 1 })
        #expect(rig.refreshBodies.last != SkodaRig.configuredRefresh)
        #expect(rig.refreshBodies.last?.hasPrefix("refresh-") == true && rig.refreshBodies.last != rotated)
        rig.host.stopAll()
    }

    @Test("CONNECT carries user id, a fresh token and the TOTP; not authorized refreshes once")
    func connectCredentials() throws {
        let probe = try MQTT5ConnectProbe(reasons: ["135", "0"])
        let rig = try SkodaRig(cloudPort: probe.port)
        rig.host.startAll()
        #expect(rig.loop.run(timeout: 20) { probe.connects.count >= 2 && rig.status["connection"]?.stringValue == "connected" },
                "\(probe.connects.count) connects, \(rig.status)")
        let now = Int64(Date().timeIntervalSince1970)
        let connects = probe.connects
        #expect(connects.count == 2, "one refusal, one refresh, one accepted connect")
        #expect(rig.refreshBodies.count == 2)
        #expect(rig.status["stats"]?["auth_refusals"]?.intValue == 1)
        let allowed = try [now, now - 30, now - 60].map { try IndependentTOTP.code(fcmToken: SkodaRig.fcm, unixTime: $0) }
        for connect in connects {
            #expect(connect.protocolLevel == 5)
            #expect(connect.username == SkodaSeedExamples.user)
            #expect(connect.password?.hasPrefix(SkodaRig.jwtHeader) == true)
            #expect(connect.userProperties.first == ["auth_method", "totp_v1"])
            let code = try #require(connect.userProperties.first { $0.first == "auth_credentials" }?.last)
            #expect(allowed.contains(code), "\(code) not in \(allowed)")
        }
        #expect(connects[0].password != connects[1].password, "the second connect uses the refreshed token")
        rig.host.stopAll()
    }

    @Test("the push broker over TLS: the right CA connects, a wrong one does not")
    func brokerOverTLS() throws {
        let certificates = try TestCertificates()
        let tlsPort = FreePort.next()
        let tlsBroker = try MosquittoBroker(extraConfig: certificates.listenerConfig(port: tlsPort))
        #expect(FreePort.waitUntilListening(tlsPort, timeout: 5))
        for (caFile, connects) in [(certificates.caFile, true), (certificates.otherCAFile, false)] {
            let rig = try SkodaRig(settings: ["skoda.mqtt_tls": "true", "skoda.mqtt_ca_file": caFile], cloudPort: tlsPort)
            rig.host.startAll()
            if connects {
                #expect(rig.waitConnected(), "\(rig.status)")
            } else {
                #expect(rig.loop.run(timeout: 10) {
                    if case .degraded(let why)? = rig.host.health(of: "skoda") { return why.contains("unreachable") }
                    return false
                }, "\(String(describing: rig.host.health(of: "skoda")))")
                #expect(rig.status["connection"]?.stringValue != "connected")
            }
            rig.host.stopAll()
        }
        _ = tlsBroker
    }

    @Test("a token near expiry is refreshed ahead; a clock jump refreshes and reconnects")
    func refreshAheadAndAfterSleep() throws {
        // Tokens live 5 minutes: inside the 10-minute margin at once.
        let rig = try SkodaRig(serverArguments: ["--skoda-lifetime", "300"])
        rig.host.startAll()
        #expect(rig.waitConnected(), "\(rig.status)")
        let service = rig.service
        service.checkToken()
        #expect(rig.loop.run(timeout: 10) { rig.status["stats"]?["token_refreshes"]?.intValue == 2 },
                "refreshed 10 min ahead of exp")
        #expect(rig.status["stats"]?["clock_jumps"]?.intValue == 0)

        // A suspend: the wall clock moves an hour, the monotonic one does not.
        let real = service.wallClock
        let jumped = rig.refreshBodies.count
        service.wallClock = { real() + 120 }
        service.checkToken()
        #expect(rig.status["stats"]?["clock_jumps"]?.intValue == 1)
        #expect(rig.loop.run(timeout: 10) { rig.refreshBodies.count > jumped }, "new token after the jump")
        #expect(rig.waitConnected(), "reconnected with it: \(rig.status)")
        rig.host.stopAll()
    }

    @Test("a refused SUBACK is a failure: degraded with the filter, one token refresh and a reconnect, then subscribed")
    func refusedSubscription() throws {
        let probe = try MQTT5ConnectProbe(subacks: ["135", "grant"])
        let rig = try SkodaRig(cloudPort: probe.port)
        var healths: [String] = []
        rig.host.onStateChange = {
            if case .degraded(let why)? = rig.host.health(of: "skoda") { healths.append(why) }
        }
        rig.host.startAll()
        let filter = SkodaSeedExamples.user + "/" + SkodaSeedExamples.vin + "/#"
        #expect(rig.loop.run(timeout: 20) { probe.subscribes.count == 2 && rig.host.health(of: "skoda") == .ok },
                "\(probe.subscribes.map(\.answer)) \(String(describing: rig.host.health(of: "skoda")))")
        #expect(healths.contains("MySkoda broker subscription to \(filter) refused: not authorized (135)"), "\(healths)")
        #expect(probe.subscribes.map(\.filters) == [[filter], [filter]])
        #expect(probe.subscribes.map(\.answer) == [[135], [0]], "refused, then granted at QoS 0 as the app asks")
        #expect(rig.refreshBodies.count == 2, "the start's refresh and one after the refusal")
        let connects = probe.connects
        #expect(connects.count == 2 && connects[0].password != connects[1].password, "reconnected with the fresh token")
        rig.host.stopAll()
    }

    @Test("a login refused again with a fresh token says to renew skoda.fcm_token, and how; no refresh loop")
    func staleFCMToken() throws {
        let probe = try MQTT5ConnectProbe(reasons: ["135"])
        let rig = try SkodaRig(cloudPort: probe.port)
        let (_, lines) = LogCapture.lines {
            rig.host.startAll()
            #expect(rig.loop.run(timeout: 20) {
                if case .degraded(let why)? = rig.host.health(of: "skoda") { return why.contains("skoda.fcm_token") }
                return false
            }, "\(String(describing: rig.host.health(of: "skoda")))")
            // The broker keeps refusing; the backoff retries, the refresh is not repeated.
            #expect(rig.loop.run(timeout: 15) { probe.connects.count >= 3 }, "\(probe.connects.count)")
        }
        #expect(rig.host.attention(of: "skoda") == .needsPerson)
        let advice = lines.joined(separator: "\n")
        #expect(advice.contains("config set skoda.fcm_token") && advice.contains("notifications-subscriptions"), "\(advice)")
        #expect(!advice.contains(SkodaRig.fcm), "the token itself is never logged")
        #expect(rig.refreshBodies.count == 2, "the start's refresh and the one after the first refusal")
        rig.host.stopAll()
    }

    @Test("every event of the reference's table, sent through the broker, comes out as its retained values with discovery")
    func documentedEventsOnMQTT() throws {
        let rig = try SkodaRig()
        let observer = try MQTTObserver(port: rig.broker.port, topics: ["switchyard/#", "homeassistant/#"])
        rig.host.startAll()
        #expect(rig.waitConnected(), "\(rig.status)")
        #expect(rig.waitSubscribed())
        for (index, entry) in SkodaDecoderTests.documented.enumerated() {
            let payload = SkodaDecoderTests.documentedPayload(entry.name, entry.data, trace: "trace-\(index)")
            try MQTTTool.publish(port: rig.broker.port, topic: SkodaSeedExamples.chargingTopic, message: payload)
        }
        let base = "switchyard/test/car/" + SkodaSeedExamples.vin + "/"
        let last = SkodaDecoderTests.documented.last!.name
        // Wait for the configs as well as the last event: the observer reads its output in
        // its own time, and a check on one says nothing of the other.
        let configs = Set(SkodaDecoderTests.documented.flatMap { $0.values.map {
            "homeassistant/sensor/switchyard_test_skoda_tmbjb9ny6rf999999_\($0.0)/config" } })
        #expect(rig.loop.run(timeout: 20) {
            let lines = observer.lines
            let seen = Set(lines.compactMap { line in line.split(separator: " ", maxSplits: 1).first.map(String.init) })
            return lines.contains { $0.hasPrefix(base + "event/" + last + " ") } && configs.isSubset(of: seen)
        }, "\(rig.status)")
        let lines = observer.lines
        for entry in SkodaDecoderTests.documented {
            // The event's own summary holds exactly its values...
            let summary = try #require(lines.last { $0.hasPrefix(base + "event/" + entry.name + " ") }, "\(entry.name)")
            let event = try JSONValue.parse(String(summary.dropFirst((base + "event/" + entry.name + " ").count)))
            #expect(event["values"]?.objectValue?.keys.sorted() == entry.values.map(\.0).sorted(), "\(entry.name)")
            for (key, value) in entry.values {
                // ... and each went to its own topic, announced to Home Assistant.
                // No value is an empty payload, which also clears the retained one (mosquitto_sub
                // prints it as "(null)").
                let text = value.isNull ? "(null)" : (value.stringValue ?? value.serialized())
                #expect(lines.contains(base + key + " " + text), "\(entry.name): \(key) = \(text)")
                #expect(lines.contains { $0.hasPrefix("homeassistant/sensor/switchyard_test_skoda_tmbjb9ny6rf999999_\(key)/config ") },
                        "discovery for \(key)")
            }
        }
        #expect(rig.status["stats"]?["raw"]?.intValue == 0, "nothing documented is left undecoded")
        #expect(rig.status["stats"]?["duplicates"]?.intValue == 0)
        rig.host.stopAll()
    }
}
