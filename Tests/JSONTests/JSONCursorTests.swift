import JSON
import Testing

@Suite("Typed access through a cursor fails with the path it took")
struct JSONCursorTests {
    let request: JSONValue = [
        "id": 17,
        "method": "ble.pair",
        "params": [
            "address": "AA:BB:CC:DD:EE:FF",
            "port": 4567,
            "ratio": 0.5,
            "enabled": true,
            "note": .null,
            "devices": [["address": "A1"], ["address": "A2"], ["address": 3]],
        ],
    ]

    @Test("present values come out typed")
    func typedValues() throws {
        let params = request.cursor["params"]
        #expect(try request.cursor["id"].int() == 17)
        #expect(try params["address"].string() == "AA:BB:CC:DD:EE:FF")
        #expect(try params["port"].int(as: UInt16.self) == 4567)
        #expect(try params["ratio"].double() == 0.5)
        #expect(try params["port"].double() == 4567)
        #expect(try params["enabled"].bool())
        #expect(try params["devices"][1]["address"].string() == "A2")
        #expect(try params["devices"].array().count == 3)
        #expect(try params.object().keys.first == "address")
        #expect(try params["note"].value() == .null)
    }

    @Test("a type mismatch names path, expected and found kinds")
    func typeMismatch() {
        #expect(throws: JSONError.typeMismatch(path: "params.devices[2].address", expected: "string", found: "number")) {
            try request.cursor["params"]["devices"][2]["address"].string()
        }
        #expect(throws: JSONError.typeMismatch(path: "method", expected: "integer", found: "string")) {
            try request.cursor["method"].int()
        }
        #expect(throws: JSONError.typeMismatch(path: "params.enabled", expected: "object", found: "boolean")) {
            try request.cursor["params"]["enabled"]["x"]["y"].string()
        }
        #expect(throws: JSONError.typeMismatch(path: "params", expected: "array", found: "object")) {
            try request.cursor["params"][0].value()
        }
        #expect(throws: JSONError.typeMismatch(path: "", expected: "array", found: "object")) {
            try request.cursor.array()
        }
    }

    @Test("the description is one readable line")
    func descriptions() {
        #expect(JSONError.typeMismatch(path: "params.address", expected: "string", found: "number").description
            == "params.address: expected string, found number")
        #expect(JSONError.missingKey(path: "mqtt.port").description == "missing key mqtt.port")
        #expect(JSONError.typeMismatch(path: "", expected: "object", found: "array").description
            == "top level: expected object, found array")
        #expect(JSONError.indexOutOfRange(path: "a[3]", count: 3).description
            == "a[3]: index out of range (array has 3 elements)")
        #expect(JSONError.outOfRange(path: "p", expected: "integer in 0...255").description == "p: expected integer in 0...255")
    }

    @Test("a missing key reports the first missing step, however deep the lookup goes")
    func missingKey() {
        #expect(throws: JSONError.missingKey(path: "params.timeout")) {
            try request.cursor["params"]["timeout"].int()
        }
        #expect(throws: JSONError.missingKey(path: "mqtt")) {
            try request.cursor["mqtt"]["port"].int()
        }
    }

    @Test("an index past the end reports the array's length")
    func indexOutOfRange() {
        #expect(throws: JSONError.indexOutOfRange(path: "params.devices[7]", count: 3)) {
            try request.cursor["params"]["devices"][7]["address"].string()
        }
        #expect(throws: JSONError.indexOutOfRange(path: "params.devices[-1]", count: 3)) {
            try request.cursor["params"]["devices"][-1].value()
        }
    }

    @Test("integers must be whole and fit the asked type")
    func integerChecks() {
        #expect(throws: JSONError.typeMismatch(path: "params.ratio", expected: "integer", found: "number with a fraction")) {
            try request.cursor["params"]["ratio"].int()
        }
        #expect(throws: JSONError.outOfRange(path: "params.port", expected: "integer in -128...127")) {
            try request.cursor["params"]["port"].int(as: Int8.self)
        }
        let big: JSONValue = ["n": 1e30, "neg": -1]
        #expect(throws: JSONError.outOfRange(path: "n", expected: "integer in -9223372036854775808...9223372036854775807")) {
            try big.cursor["n"].int()
        }
        #expect(throws: JSONError.outOfRange(path: "neg", expected: "integer in 0...4294967295")) {
            try big.cursor["neg"].int(as: UInt32.self)
        }
    }

    @Test("ifPresent: absent and null are nil, a wrong kind still fails")
    func optionalFields() throws {
        let params = request.cursor["params"]
        #expect(try params["timeout"].ifPresent?.int() == nil)
        #expect(try (params["timeout"].ifPresent?.int() ?? 30) == 30)
        #expect(try params["note"].ifPresent?.string() == nil)
        #expect(try params["options"]["level"].ifPresent?.int() == nil, "absent parent, absent child")
        #expect(try params["devices"][9].ifPresent?.value() == nil)
        #expect(try params["port"].ifPresent?.int() == 4567)
        #expect(throws: JSONError.typeMismatch(path: "params.address", expected: "integer", found: "string")) {
            try params["address"].ifPresent?.int()
        }
        #expect(throws: JSONError.typeMismatch(path: "params.port", expected: "object", found: "number")) {
            try params["port"]["x"].ifPresent?.int()
        }
    }

    @Test("elements() hands out cursors whose errors name their index")
    func elements() throws {
        var addresses: [String] = []
        var failure: JSONError?
        for device in try request.cursor["params"]["devices"].elements() {
            do {
                addresses.append(try device["address"].string())
            } catch {
                failure = error
            }
        }
        #expect(addresses == ["A1", "A2"])
        #expect(failure == .typeMismatch(path: "params.devices[2].address", expected: "string", found: "number"))
    }

    @Test("a cursor can start with a path prefix, for handlers given part of a message")
    func pathPrefix() {
        let params = request["params"]!
        #expect(throws: JSONError.missingKey(path: "params.mode")) {
            try JSONCursor(params, path: "params")["mode"].string()
        }
    }

    @Test("optional accessors on values for hot paths that need no error text")
    func optionalAccessors() {
        #expect(request["id"]?.intValue == 17)
        #expect(request["params"]?["address"]?.stringValue == "AA:BB:CC:DD:EE:FF")
        #expect(request["params"]?["devices"]?[1]?["address"]?.stringValue == "A2")
        #expect(request["params"]?["devices"]?[5] == nil)
        #expect(request["missing"] == nil)
        #expect(request["id"]?.stringValue == nil)
        #expect(request["params"]?["note"]?.isNull == true)
        #expect(request["params"]?["enabled"]?.boolValue == true)
        #expect(request["params"]?["ratio"]?.doubleValue == 0.5)
        #expect(request["params"]?["devices"]?.arrayValue?.count == 3)
        #expect(request[0] == nil)
        #expect(JSONValue.string("x")["key"] == nil)
    }
}
