import JSON
import Testing

@Suite("Ordered objects and literals")
struct JSONObjectTests {
    @Test("literals keep the order written")
    func literalOrder() {
        let value: JSONValue = ["b": 1, "a": 2, "c": ["z": 1, "y": 2]]
        #expect(value.objectValue?.keys == ["b", "a", "c"])
        #expect(value.serialized() == #"{"b":1,"a":2,"c":{"z":1,"y":2}}"#)
        let object: JSONObject = ["k2": "v", "k1": .null]
        #expect(object.keys == ["k2", "k1"])
    }

    @Test("setting replaces in place, appends new keys, nil removes")
    func subscriptSet() {
        var object: JSONObject = ["a": 1, "b": 2, "c": 3]
        object["b"] = "two"
        object["d"] = 4
        object["a"] = nil
        object["missing"] = nil
        #expect(object.keys == ["b", "c", "d"])
        #expect(object["b"] == "two")
        #expect(object.count == 3)
        #expect(object.removeValue(forKey: "c") == 3)
        #expect(object.removeValue(forKey: "c") == nil)
        #expect(JSONValue.object(object).serialized() == #"{"b":"two","d":4}"#)
    }

    @Test("a value's key subscript edits its object")
    func valueSubscriptSet() {
        var value: JSONValue = [:]
        value["ts"] = .int(1_732_179_000_123)
        value["can"] = ["id": .int(UInt32(0x123)), "data": [1, 2]]
        value["ts"] = .int(1_732_179_000_124)
        #expect(value.serialized() == #"{"ts":1732179000124,"can":{"id":291,"data":[1,2]}}"#)
    }

    @Test("iteration yields members in order")
    func iteration() {
        let object: JSONObject = ["x": 1, "y": 2]
        var seen: [String] = []
        for (key, value) in object { seen.append(key + "=" + value.serialized()) }
        #expect(seen == ["x=1", "y=2"])
        #expect(object[0].key == "x")
        #expect(object.index(forKey: "y") == 1)
    }

    @Test("equality is ordered: our objects are ordered values")
    func equality() {
        let ab: JSONObject = ["a": 1, "b": 2]
        let ba: JSONObject = ["b": 2, "a": 1]
        #expect(ab == ["a": 1, "b": 2])
        #expect(ab != ba)
        #expect(JSONValue.object(ab) != .object(["a": 1]))
    }

    @Test("literals of every kind make the matching case")
    func literalKinds() {
        let values: [JSONValue] = ["s", 1, 2.5, true, [1], ["k": .null]]
        #expect(values.map(\.typeName) == ["string", "number", "number", "boolean", "array", "object"])
        #expect(JSONValue.null.typeName == "null")
        #expect(values[1] == .number(1))
    }
}
