import JSON
import Runtime
@testable import Skoda
import Testing

@Suite("Skoda push message decoding")
struct SkodaDecoderTests {
    private func decode(_ topic: String, _ payload: String) throws -> SkodaEventDecoder.Decoded {
        let parsed = try #require(SkodaTopic(topic))
        return try SkodaEventDecoder.decode(topic: parsed, payload: Array(payload.utf8))
    }

    private func event(_ topic: String, _ payload: String) throws -> SkodaEvent {
        guard case .event(let event) = try decode(topic, payload) else {
            Issue.record("not an event")
            throw SkodaEventDecoder.Malformed(reason: "not an event")
        }
        return event
    }

    @Test("the seed's change-soc examples: soc, range, minutes and state as numbers and text")
    func changeSoc() throws {
        for (payload, (soc, range, minutes, state)) in zip(SkodaSeedExamples.changeSoc, SkodaSeedExamples.changeSocValues) {
            let decoded = try event(SkodaSeedExamples.chargingTopic, payload)
            let values = Dictionary(uniqueKeysWithValues: decoded.values.map { ($0.key, $0.value) })
            #expect(values["soc"] == .int(Int(soc)!))
            #expect(values["range_km"] == .int(Int(range)!))
            #expect(values["minutes_to_finish"] == .int(Int(minutes)!))
            #expect(values["charging_state"] == .string(state))
            #expect(values["charge_mode"] == "manual")
            #expect(decoded.isKnown && !decoded.hasUnknownFields)
        }
    }

    @Test("timeToFinish \"null\" is no value, not zero and not malformed")
    func nullMinutes() throws {
        let payload = SkodaSeedExamples.changeSoc[0].replacingOccurrences(of: "\"timeToFinish\": \"25\"",
                                                                        with: "\"timeToFinish\": \"null\"")
        let decoded = try event(SkodaSeedExamples.chargingTopic, payload)
        #expect(decoded.values.first { $0.key == "minutes_to_finish" }?.value == .null)
        #expect(decoded.values.first { $0.key == "soc" }?.value == .int(74))
    }

    @Test("operations: the seed's honk-and-flash and window-heating timeout")
    func operations() throws {
        guard case .operation(let flash) = try decode(SkodaSeedExamples.honkTopic, SkodaSeedExamples.flashInProgress) else {
            Issue.record("not an operation")
            return
        }
        #expect(flash == SkodaOperationUpdate(requestID: "531f8dc4-8c2e-44ca-ac43-3cf47003d8cc", operation: "start-flash",
                                              status: "IN_PROGRESS", errorCode: nil, group: "vehicle-access/honk-and-flash"))
        #expect(!flash.isFinal)
        guard case .operation(let timeout) = try decode(SkodaSeedExamples.windowHeatingTopic,
                                                        SkodaSeedExamples.windowHeatingTimeout) else {
            Issue.record("not an operation")
            return
        }
        #expect(timeout.status == "ERROR" && timeout.errorCode == "timeout" && timeout.isFinal)
    }

    @Test("the tracker follows a request from IN_PROGRESS to its final status, bounded")
    func tracker() {
        let tracker = SkodaOperationTracker(capacity: 2)
        let start = SkodaOperationUpdate(requestID: "r1", operation: "start-window-heating", status: "IN_PROGRESS",
                                         errorCode: nil, group: "air-conditioning/start-stop-window-heating")
        let end = SkodaOperationUpdate(requestID: "r1", operation: "start-window-heating", status: "ERROR",
                                       errorCode: "timeout", group: "air-conditioning/start-stop-window-heating")
        _ = tracker.record(start, vin: "V", now: Instant(nanoseconds: 1_000_000_000))
        #expect(tracker.open.count == 1)
        let report = tracker.record(end, vin: "V", now: Instant(nanoseconds: 4_500_000_000))
        #expect(report.duration == .milliseconds(3500) && report.isFinal && report.errorCode == "timeout")
        #expect(tracker.open.isEmpty && tracker.failed == 1)
        for id in ["a", "b", "c"] {
            _ = tracker.record(SkodaOperationUpdate(requestID: id, operation: "x", status: "IN_PROGRESS", errorCode: nil,
                                                    group: "g"), vin: "V", now: Instant(nanoseconds: 0))
        }
        #expect(tracker.open.map(\.requestID) == ["b", "c"] && tracker.evicted == 1)
        #expect(tracker.expire(now: Instant(nanoseconds: 0) + .seconds(3600)) == 2)
    }

    @Test("other events: ignition, connection; unknown names and fields are flagged for raw")
    func otherEvents() throws {
        let ignition = try event(SkodaSeedExamples.topic("vehicle-event/vehicle-ignition-status"),
                                 #"{"version":1,"name":"vehicle-ignition-status-changed","data":{"ignitionStatus":"ON","userId":"u","vin":"v"}}"#)
        #expect(ignition.values.first?.value == "on" && !ignition.hasUnknownFields)
        let online = try event(SkodaSeedExamples.topic("vehicle-event/vehicle-connection-status-update"),
                               #"{"version":1,"name":"vehicle-connection-offline","data":{}}"#)
        #expect(online.values.first?.key == "connection" && online.values.first?.value == "offline")
        let unknown = try event(SkodaSeedExamples.topic("service-event/charging"),
                                #"{"version":1,"name":"change-something-new","data":{"x":"1"}}"#)
        #expect(!unknown.isKnown)
        let extra = try event(SkodaSeedExamples.accessTopic,
                              #"{"version":1,"name":"change-access","timestamp":"t","data":{"doors":"locked"}}"#)
        #expect(extra.isKnown && extra.hasUnknownFields)
    }

    @Test("malformed payloads are refused with a reason, never crash")
    func malformed() throws {
        let topic = SkodaSeedExamples.chargingTopic
        for payload in ["", "not json", "[1,2]", "\"text\"", #"{"name":"change-soc","data":"x"}"#,
                        #"{"name":"change-soc","data":{"soc":"seventy"}}"#, #"{"name":"change-soc","data":{"soc":[1]}}"#,
                        #"{"name":"vehicle-ignition-status-changed","data":{}}"#, #"{"name":""}"#, #"{"name":"a/b"}"#, "{\"name\":\"change-soc\",\"data\":{\u{0}}"] {
            #expect(throws: SkodaEventDecoder.Malformed.self, "\(payload)") { try decode(topic, payload) }
        }
        for payload in [#"{"status":"IN_PROGRESS"}"#, #"{"requestId":"r"}"#] {
            #expect(throws: SkodaEventDecoder.Malformed.self) {
                try decode(SkodaSeedExamples.honkTopic, payload)
            }
        }
        #expect(SkodaTopic("a/b") == nil && SkodaTopic("a//c") == nil)
    }
}
