import Foundation
import JSON
import Runtime
import ServiceKit
import TestSupport
import Testing
@testable import Web
import CAN

/// `POST /api/action` over real HTTP: the page's token, confirmation of privileged actions,
/// the command registry as the only way in, and bodies bounded.
@Suite("Dashboard actions", .serialized)
struct WebActionTests {
    /// The CSRF token the page carries.
    private func token(_ rig: WebRig) throws -> String {
        let page = try rig.get("/").body
        let match = try #require(page.range(of: #"<meta name="csrf" content="[0-9a-f]{32}">"#, options: .regularExpression),
                                 "the page carries a 128-bit token")
        return String(page[match].suffix(34).prefix(32))
    }

    private func post(_ rig: WebRig, _ body: String, token: String?) throws -> (status: Int, json: JSONValue) {
        var arguments = ["-X", "POST", "-H", "Content-Type: application/json", "--data", body]
        if let token { arguments += ["-H", "X-CSRF-Token: " + token] }
        let reply = try rig.curl(arguments + [rig.base + "/api/action"])
        return (reply.status, (try? JSONValue.parse(reply.body)) ?? .null)
    }

    @Test("an action runs a registry command with the page's token; without it, unconfirmed or malformed it is refused")
    func actionsGoThroughTheRegistry() throws {
        let rig = try WebRig()
        var seen: [[String]] = []
        // The console's own registry, with a command standing where BLE's bcms would be.
        rig.registry.register(Command("bcms", usage: "approve --address A", help: "test") { request in
            seen.append(request.arguments)
            return .json(["status": true])
        })
        let token = try token(rig)

        let approve = try post(rig, #"{"action":"approve","address":"A4:C1:38:00:00:01"}"#, token: token)
        #expect(approve.status == 200)
        #expect(approve.json["ok"]?.boolValue == true)
        #expect(seen == [["approve", "--address", "A4:C1:38:00:00:01"]])

        #expect(try post(rig, #"{"action":"approve","address":"A4:C1:38:00:00:01"}"#, token: nil).status == 403)
        #expect(try post(rig, #"{"action":"approve","address":"A4:C1:38:00:00:01"}"#, token: String(repeating: "0", count: 32)).status == 403)
        let unconfirmed = try post(rig, #"{"action":"remove","address":"A4:C1:38:00:00:01"}"#, token: token)
        #expect(unconfirmed.status == 409, "privileged actions need confirm")
        #expect(try post(rig, #"{"action":"approve","address":"nope"}"#, token: token).status == 400)
        #expect(try post(rig, #"{"action":"format_disk"}"#, token: token).status == 400)
        #expect(try post(rig, #"{"action":"set","key":"web.password","value":"x"}"#, token: token).status == 400,
                "only the offered keys")
        #expect(try post(rig, "not json", token: token).status == 400)
        #expect(seen.count == 1, "nothing refused reached a command")

        let confirmed = try post(rig, #"{"action":"remove","address":"A4:C1:38:00:00:01","confirm":true}"#, token: token)
        #expect(confirmed.status == 200)
        #expect(seen.last == ["remove", "--address", "A4:C1:38:00:00:01"])

        // A command that fails says why, through the page.
        let missing = try post(rig, #"{"action":"restart","confirm":true}"#, token: token)
        #expect(missing.status == 422)
        #expect(missing.json["output"]?.stringValue?.contains("unknown command") == true)

        #expect(try rig.get("/api/action").status == 405, "a GET changes nothing")
        let big = try rig.curl(["-X", "POST", "-H", "X-CSRF-Token: " + token, "--data", String(repeating: "a", count: 5000),
                                rig.base + "/api/action"])
        #expect(big.status == 413, "bodies are bounded")
        #expect(try rig.get("/api/state").status == 200, "still serving")
    }

    @Test("with a password set, actions need it too", arguments: [false, true])
    func actionsNeedThePassword(_ withPassword: Bool) throws {
        let rig = try WebRig(["web.password": "s3cret"])
        let login = withPassword ? ["-u", "admin:s3cret"] : []
        let page = try rig.get("/", login)
        #expect(page.status == (withPassword ? 200 : 401))
        let reply = try rig.curl(login + ["-X", "POST", "-H", "X-CSRF-Token: x", "--data", "{}", rig.base + "/api/action"])
        #expect(reply.status == (withPassword ? 403 : 401))
    }

    @Test("trends keep at most their capacity per series and refuse series beyond the limit")
    func trendsAreBounded() {
        var trends = ReadingTrends()
        for index in 0..<(ReadingTrends.capacity + 5) { trends.append("can/can0/rx_rate", Float(index)) }
        let series = trends.series("can/can0/rx_rate")
        #expect(series.count == ReadingTrends.capacity)
        #expect(series.first == 5 && series.last == Float(ReadingTrends.capacity + 4), "oldest first, oldest dropped")
        for index in 0..<(ReadingTrends.maxSeries + 3) { trends.append("s/\(index)/v", 1) }
        #expect(trends.refusedSeries == 4)
    }
}

/// The cars' last values, as their readings show them.
@Suite("Latest values for readings")
struct LatestValuesTests {
    @Test("a value replaces its key's last; things and keys beyond the bounds are dropped and counted")
    func boundedAndLatest() {
        var latest = LatestValues()
        latest.record([("soc", .int(74)), ("range_km", .int(207))], for: "VIN1", at: 100)
        latest.record([("soc", .int(77))], for: "VIN1", at: 160)
        #expect(latest.entries.count == 1)
        #expect(latest.entries[0].value("soc") == .int(77))
        #expect(latest.entries[0].value("range_km") == .int(207))
        #expect(latest.entries[0].updated == 160)
        for index in 0..<(LatestValues.maxThings + 2) { latest.record([("soc", .int(1))], for: "V\(index)", at: 1) }
        #expect(latest.entries.count == LatestValues.maxThings)
        #expect(latest.dropped == 3)
        let many = (0..<(LatestValues.maxKeys + 1)).map { (key: "k\($0)", value: JSONValue.int($0)) }
        latest.record(many, for: "VIN1", at: 200)
        #expect(latest.entries[0].values.count == LatestValues.maxKeys)
        #expect(latest.dropped == 3 + 3, "soc and range_km were there already: 128 - 2 new keys fit, 3 did not")
    }
}

/// The CAN bus's last frames, as its readings show them.
@Suite("CAN recent frames")
struct CANRecentFramesTests {
    @Test("the last frame per id, most recent first, the id heard longest ago making room")
    func keepsTheLastPerId() {
        var recent = CANRecentFrames()
        for id in 0..<UInt32(CANRecentFrames.capacity + 2) { recent.record(CANFrame(text: String(id + 0x100, radix: 16) + "#01")!) }
        recent.record(CANFrame(text: "103#FF")!)
        #expect(recent.frames.count == CANRecentFrames.capacity)
        #expect(recent.frames.first?.description == "103#FF", "a new frame of a known id replaces it and comes first")
        #expect(!recent.frames.contains { $0.id == 0x100 || $0.id == 0x101 }, "the oldest ids made room")
    }
}
