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
            #expect(values["charging_state_raw"] == .string(state))
            #expect(values["charging_state"] == (state == "charging" ? "CHARGING" : "READY_FOR_CHARGING"),
                    "the maintained client's name for \(state)")
            #expect(values["charge_mode"] == "MANUAL" && values["charge_mode_raw"] == "manual")
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

    /// One payload per event of the reference's table, in its documented shape (`data` with
    /// userId and vin and the listed fields as strings), and the values it must give.
    static let documented: [(name: String, data: String, values: [(String, JSONValue)])] = [
        ("change-charge-mode", #""mode":"off","state":"notReadyForCharging","soc":"55","chargedRange":"180","timeToFinish":"null""#,
         [("soc", 55), ("range_km", 180), ("minutes_to_finish", .null), ("charging_state", "CONNECT_CABLE"),
          ("charging_state_raw", "notReadyForCharging"), ("charge_mode", "OFF"), ("charge_mode_raw", "off")]),
        ("charging-completed", #""mode":"manual","state":"chargePurposeReachedAndConservation","soc":"80","chargedRange":"223","timeToFinish":"0""#,
         [("charging_event", "charging-completed"), ("soc", 80), ("range_km", 223), ("minutes_to_finish", 0),
          ("charging_state", "CONSERVING"), ("charging_state_raw", "chargePurposeReachedAndConservation"),
          ("charge_mode", "MANUAL"), ("charge_mode_raw", "manual")]),
        ("change-remaining-time", "", [("remaining_time_changed", "2024-11-09T13:30:34Z")]),
        ("charging-status-changed", "", [("charging_event", "charging-status-changed")]),
        ("charging-error", #""errorCode":"STOPPED_DEVICE""#, [("charging_event", "charging-error"), ("charging_error", "STOPPED_DEVICE")]),
        ("departure-error-plug", #""errorCode":"CLIMA""#, [("departure", "error-plug"), ("departure_error", "CLIMA")]),
        ("departure-ready", "", [("departure", "ready")]),
        ("departure-status-changed", "", [("departure", "status-changed")]),
        ("climatisation-completed", #""state":"HEATING","timeToFinish":"12""#,
         [("climatisation_state", "HEATING"), ("climatisation_state_raw", "HEATING"), ("climatisation_minutes_to_finish", 12)]),
        ("change-access", "", [("access_changed", "2024-11-09T13:30:34Z")]),
        ("change-lights", "", [("lights_changed", "2024-11-09T13:30:34Z")]),
        ("change-odometer", "", [("odometer_changed", "2024-11-09T13:30:34Z")]),
        ("vehicle-ignition-status-changed", #""ignitionStatus":"OFF""#, [("ignition", "off")]),
        ("vehicle-awake", "", [("awake_at", "2024-11-09T13:30:34Z")]),
        ("vehicle-connection-online", "", [("connection", "online")]),
        ("vehicle-connection-offline", "", [("connection", "offline")]),
        ("vehicle-warning-batterylevel", "", [("battery_warning_at", "2024-11-09T13:30:34Z")]),
    ]

    static func documentedPayload(_ name: String, _ data: String,
                                  trace: String = "81b50439-af83-44e1-9515-5b3925d4c34a") -> String {
        #"{"version":1,"traceId":""# + trace + #"","timestamp":"2024-11-09T13:30:34Z","producer":"SKODA_MHUB","name":""#
            + name + #"","data":{"userId":"u","vin":"v""# + (data.isEmpty ? "" : "," + data) + "}}"
    }

    @Test("each event of the reference's table, in its documented shape, gives exactly its values",
          arguments: SkodaDecoderTests.documented.map { $0.name })
    func documentedEvent(name: String) throws {
        let entry = try #require(SkodaDecoderTests.documented.first { $0.name == name })
        let decoded = try event(SkodaSeedExamples.chargingTopic, SkodaDecoderTests.documentedPayload(entry.name, entry.data))
        #expect(decoded.isKnown && !decoded.hasUnknownFields, "every documented field is read")
        #expect(decoded.traceID == "81b50439-af83-44e1-9515-5b3925d4c34a")
        #expect(decoded.values.map(\.key) == entry.values.map(\.0))
        #expect(decoded.values.map(\.value) == entry.values.map(\.1))
    }

    @Test("the guesses are gone: REST names (chargeMode, mileageInKm) are not read, so they go raw")
    func noGuessedFields() throws {
        let mode = try event(SkodaSeedExamples.chargingTopic,
                             SkodaDecoderTests.documentedPayload("change-charge-mode", #""chargeMode":"MANUAL""#))
        #expect(mode.values.isEmpty && mode.hasUnknownFields)
        let odometer = try event(SkodaSeedExamples.topic("service-event/vehicle-status/odometer"),
                                 SkodaDecoderTests.documentedPayload("change-odometer", #""mileageInKm":"12345""#))
        #expect(odometer.values.map(\.key) == ["odometer_changed"] && odometer.hasUnknownFields)
        let remaining = try event(SkodaSeedExamples.chargingTopic,
                                  SkodaDecoderTests.documentedPayload("change-remaining-time", #""timeToFinish":"20""#))
        #expect(remaining.values.map(\.key) == ["remaining_time_changed"] && remaining.hasUnknownFields)
    }

    @Test("state words: case-insensitive like the client; an unknown word keeps its raw value and goes raw")
    func stateNames() throws {
        #expect(SkodaStateNames.chargingState("readyForCharging") == "READY_FOR_CHARGING")
        #expect(SkodaStateNames.chargingState("CHARGING") == "CHARGING")
        #expect(SkodaStateNames.chargeMode("timerChargingWithClimatisation") == "TIMER_CHARGING_WITH_CLIMATISATION")
        #expect(SkodaStateNames.climatisationState("heating_auxiliary") == "HEATING_AUXILIARY")
        let odd = try event(SkodaSeedExamples.chargingTopic,
                            SkodaDecoderTests.documentedPayload("change-soc", #""state":"somethingNew","soc":"50""#))
        #expect(odd.values.first { $0.key == "charging_state" }?.value == .null)
        #expect(odd.values.first { $0.key == "charging_state_raw" }?.value == "somethingNew")
        #expect(odd.hasUnknownFields, "the whole message goes raw too")
    }

    @Test("repeats are known by their traceId, within a bounded memory")
    func recentTraces() {
        var traces = SkodaRecentTraces(capacity: 2)
        let first = traces.isRepeat("a")
        let again = traces.isRepeat("a")
        #expect(!first && again)
        let b = traces.isRepeat("b")
        let c = traces.isRepeat("c")
        #expect(!b && !c)
        let late = traces.isRepeat("a")
        #expect(!late, "forgotten once two newer ones took its place")
    }
}
