import JSON
import Testing

@Suite("Malformed input fails with where and what, never crashes")
struct JSONMalformedInputTests {
    /// The syntax error `text` raises, or nil (and a recorded failure) when it parses.
    private func syntaxError(_ bytes: [UInt8]) -> (offset: Int, reason: String, description: String)? {
        do {
            let value = try JSONValue.parse(bytes)
            Issue.record("parsed as \(value)")
            return nil
        } catch {
            guard case .syntax(let offset, let reason) = error else {
                Issue.record("not a syntax error: \(error)")
                return nil
            }
            #expect(!error.description.contains("\n"), "one line")
            return (offset, reason, error.description)
        }
    }

    private func syntaxError(_ text: String) -> (offset: Int, reason: String, description: String)? {
        syntaxError(Array(text.utf8))
    }

    @Test("empty and all-whitespace input", arguments: ["", " ", "\n\t \r\n"])
    func emptyInput(text: String) {
        let error = syntaxError(text)
        #expect(error?.reason == "empty input")
        #expect(error?.offset == 0)
    }

    @Test("an empty raw buffer is empty input, not a crash")
    func emptyBuffer() {
        #expect(throws: JSONError.syntax(offset: 0, reason: "empty input")) {
            try JSONValue.parse(UnsafeRawBufferPointer(start: nil, count: 0))
        }
    }

    @Test("truncated input ends early at its length", arguments: [
        #"{"a":1"#, "[1,2", #"{"a":[1,{"b":"#, #"{"a""#, "[", "{", "[true,",
    ])
    func truncated(text: String) {
        let error = syntaxError(text)
        #expect(error?.reason == "unexpected end of input")
        #expect(error?.offset == text.utf8.count)
    }

    @Test("trailing garbage after a complete value")
    func trailingGarbage() {
        let error = syntaxError(#"{"a":1} x"#)
        #expect(error?.offset == 8)
        #expect(error?.reason.hasPrefix("unexpected text after the JSON value") == true)
        #expect(syntaxError("[1] [2]")?.offset == 4)
        #expect(syntaxError("nulls")?.offset == 4)
    }

    @Test("a missing value is reported where it is missing")
    func missingValue() {
        let error = syntaxError(#"{"a":}"#)
        #expect(error?.offset == 5)
        #expect(error?.description == #"JSON syntax error at byte 5: invalid JSON near "}""#)
    }

    @Test("other broken syntax names the offending spot", arguments: [
        ("[1,]", 3), ("{a:1}", 2), ("[1 2]", 3), (#"{"a" 1}"#, 5), ("tru", 0), ("[.5]", 1), ("+1", 0),
    ] as [(String, Int)])
    func brokenSyntax(text: String, offset: Int) {
        let error = syntaxError(text)
        #expect(error?.offset == offset)
        #expect(error?.reason.hasPrefix("invalid JSON near") == true)
    }

    @Test("lone surrogate escapes are invalid strings", arguments: [
        #""\ud800""#, #""\udc00""#, #""\ud800\u0041""#, #"["ok","x\udfff"]"#,
    ])
    func loneSurrogates(text: String) {
        let error = syntaxError(text)
        #expect(error?.reason.hasPrefix("invalid string") == true)
    }

    @Test("unterminated strings and bad escapes are invalid strings", arguments: [#""abc"#, #"{"a":"x\q"}"#, #"["\u12"]"#])
    func badStrings(text: String) {
        #expect(syntaxError(text)?.reason.hasPrefix("invalid string") == true)
    }

    @Test("2,000 levels of nesting fail cleanly at cJSON's limit")
    func deepNesting() {
        for (open, close) in [("[", "]"), ("{\"a\":", "}")] {
            let text = String(repeating: open, count: 2_000) + "1" + String(repeating: close, count: 2_000)
            let error = syntaxError(text)
            #expect(error?.reason == "nesting deeper than 1000 levels")
            #expect(error?.offset == 1_000 * open.utf8.count)
        }
        #expect(syntaxError(String(repeating: "[", count: 1_001) + String(repeating: "]", count: 1_001))?.reason
            == "nesting deeper than 1000 levels")
    }

    @Test("a NUL byte anywhere is an error at its offset, also inside a string")
    func nulBytes() {
        #expect(syntaxError([0x22, 0x61, 0x00, 0x62, 0x22])?.offset == 2) // "a\0b"
        #expect(syntaxError([0x5B, 0x31, 0x5D, 0x00])?.offset == 3) // [1]\0
        #expect(syntaxError([0x00])?.reason == "NUL byte in input")
    }

    @Test("the \\u0000 escape is refused rather than cut the string short")
    func nulEscape() throws {
        let error = syntaxError(#"["ab\u0000cd"]"#)
        #expect(error?.offset == 4)
        #expect(error?.reason == "\\u0000 in a string is not supported")
        // An escaped backslash followed by the text "u0000" is fine.
        #expect(try JSONValue.parse(#""\\u0000""#) == "\\u0000")
    }

    @Test("error text quotes the input near the failure on one line")
    func errorSnippetIsOneLine() {
        let error = syntaxError("[1,\n\t@@@@@@@@@@@@@@@@@@@@@@@@@@]")
        #expect(error?.description == #"JSON syntax error at byte 5: invalid JSON near "@@@@@@@@@@@@@@@@""#)
    }

    @Test("random garbage never crashes")
    func randomGarbage() {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array(#"{}[]:,"\ 01-9.eE+truefalsnl\u"#.utf8) + [0xFF, 0xC3, 0x0A]
        for _ in 0..<2_000 {
            let length = Int.random(in: 1...24, using: &generator)
            let bytes = (0..<length).map { _ in alphabet.randomElement(using: &generator)! }
            do {
                let value = try JSONValue.parse(bytes)
                #expect(try JSONValue.parse(value.serialized()) == value || value.serialized().contains("null"))
            } catch {
                guard case .syntax(let offset, _) = error else {
                    Issue.record("not a syntax error: \(error)")
                    continue
                }
                #expect((0...length).contains(offset))
            }
        }
    }
}
