import JSON
import Testing

@Suite("Round trips: value -> text -> value")
struct JSONRoundTripTests {
    static let samples: [JSONValue] = [
        .null, true, false, 0, -1, 42, 1.5, -2.25e-7, 0.1, "", "text",
        [], [:], [1, "two", [3], ["four": 4]],
        ["node": "gw1", "uptime": .int(86_400), "tasks": [5, 30, 180], "ota": .null, "ok": true],
        ["nested": ["deeper": ["deepest": [[], [:], [[1]]]]]],
    ]

    @Test("every kind of value survives print and parse, compact and pretty", arguments: samples)
    func everyKindRoundTrips(value: JSONValue) throws {
        #expect(try JSONValue.parse(value.serialized()) == value)
        #expect(try JSONValue.parse(value.prettyPrinted()) == value)
    }

    @Test("compact output has no whitespace and keeps member order")
    func compactOutput() {
        let value: JSONValue = ["z": 1, "a": [true, .null], "m": "x"]
        #expect(value.serialized() == #"{"z":1,"a":[true,null],"m":"x"}"#)
    }

    @Test("pretty output is cJSON's tab layout")
    func prettyOutput() {
        let value: JSONValue = ["a": [1, 2], "b": "x"]
        #expect(value.prettyPrinted() == "{\n\t\"a\":\t[1, 2],\n\t\"b\":\t\"x\"\n}")
    }

    @Test("parsed key order is the sender's, and printing keeps it")
    func keyOrderPreserved() throws {
        let text = #"{"zeta":1,"alpha":2,"mid":{"y":1,"b":2,"x":3},"beta":3}"#
        let value = try JSONValue.parse(text)
        #expect(value.objectValue?.keys == ["zeta", "alpha", "mid", "beta"])
        #expect(value["mid"]?.objectValue?.keys == ["y", "b", "x"])
        #expect(value.serialized() == text)
    }

    @Test("quotes, backslashes, control characters and non-ASCII round-trip", arguments: [
        "say \"hi\"", #"C:\path\to\file"#, "line1\nline2\r\n\ttab", "\u{01}\u{08}\u{0C}\u{1F}\u{7F}",
        "grüße, 日本語, emoji 🚗", "slash / and </script>", "\u{2028}\u{2029}",
    ])
    func stringsRoundTrip(text: String) throws {
        let value = JSONValue.string(text)
        let printed = value.serialized()
        #expect(!printed.contains("\n"), "control characters are escaped")
        #expect(try JSONValue.parse(printed) == value)
        let asKey: JSONValue = [text: .string(text)]
        #expect(try JSONValue.parse(asKey.serialized()) == asKey)
    }

    @Test("escapes come out in the short forms")
    func escapeForms() {
        #expect(JSONValue.string("a\"b\\c\n\u{01}").serialized() == #""a\"b\\c\n\u0001""#)
    }

    @Test("a string holding U+0000 prints as a \\u0000 escape, not cut short")
    func nulInStringPrintsEscaped() {
        #expect(JSONValue.string("a\u{0}b").serialized() == #""a\u0000b""#)
        #expect(JSONValue.array(["x\u{0}", "y"]).serialized() == #"["x\u0000","y"]"#)
    }

    @Test("escaped input decodes: \\u escapes, surrogate pairs, solidus")
    func escapedInputDecodes() throws {
        let value = try JSONValue.parse(#"["\u00e9\u65e5", "\ud83d\ude97", "a\/b", "\b\f\n\r\t"]"#)
        #expect(value == ["é日", "🚗", "a/b", "\u{08}\u{0C}\n\r\t"])
    }

    @Test("parsing from bytes and from a raw buffer without a NUL terminator")
    func parsesBytesAndBuffers() throws {
        let bytes = Array(#"{"id":7,"name":"gw"}"#.utf8)
        #expect(try JSONValue.parse(bytes)["id"] == 7)
        // A slice in the middle of a bigger buffer: cJSON must stop at the given length.
        let framed = Array("xx[1,2]yy".utf8)
        let value = try framed.withUnsafeBytes { raw in
            try JSONValue.parse(UnsafeRawBufferPointer(rebasing: raw[2..<7]))
        }
        #expect(value == [1, 2])
    }

    @Test("surrounding whitespace is fine")
    func surroundingWhitespace() throws {
        #expect(try JSONValue.parse(" \n\t{\"a\":1}\r\n ") == ["a": 1])
        #expect(try JSONValue.parse("7") == 7)
    }

    @Test("invalid UTF-8 inside a string becomes U+FFFD")
    func invalidUTF8Replaced() throws {
        let bytes: [UInt8] = [0x22, 0x61, 0xFF, 0x62, 0xC3, 0x22] // "a\xFFb\xC3"
        #expect(try JSONValue.parse(bytes) == "a\u{FFFD}b\u{FFFD}")
    }

    @Test("a repeated key keeps both members and lookups find the first, as cJSON does")
    func repeatedKeys() throws {
        let value = try JSONValue.parse(#"{"a":1,"a":2}"#)
        #expect(value["a"] == 1)
        #expect(value.objectValue?.count == 2)
        #expect(value.serialized() == #"{"a":1,"a":2}"#)
    }

    @Test("1,000 levels of nesting (cJSON's limit) parse")
    func nestingAtLimitParses() throws {
        let text = String(repeating: "[", count: 1_000) + String(repeating: "]", count: 1_000)
        var value = try JSONValue.parse(text)
        var depth = 0
        while case .array(let elements) = value {
            depth += 1
            value = elements.first ?? .null
        }
        #expect(depth == 1_000)
    }
}
