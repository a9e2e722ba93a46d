import CJSON
import CSupport
import Runtime

/// Parsing: cJSON reads the text into its tree, which becomes a `JSONValue` and is freed.
///
/// Accepted beyond strict JSON, as cJSON does: raw control characters inside strings, numbers
/// with leading zeros or a trailing point (`01`, `1.`), and numbers too large for a double
/// (they parse as infinity and print as null). Rejected: anything after the value but
/// whitespace, NUL bytes, lone surrogate escapes, nesting deeper than 1,000 (cJSON's limit),
/// and the `\u0000` escape: cJSON strings end at NUL, so it would silently cut the string.
/// Invalid UTF-8 inside strings becomes U+FFFD, as `String(decoding:)` does.
extension JSONValue {
    /// Parses one JSON value that must fill `text` (surrounding whitespace allowed).
    public static func parse(_ text: String) throws(JSONError) -> JSONValue {
        var text = text
        let result = text.withUTF8 { bytes in parseResult(UnsafeRawBufferPointer(bytes)) }
        return try result.get()
    }

    /// Parses one JSON value that must fill `bytes` (no NUL terminator needed).
    public static func parse(_ bytes: [UInt8]) throws(JSONError) -> JSONValue {
        let result = bytes.withUnsafeBytes { parseResult($0) }
        return try result.get()
    }

    /// Parses one JSON value that must fill `buffer`, e.g. an MQTT payload in place.
    public static func parse(_ buffer: UnsafeRawBufferPointer) throws(JSONError) -> JSONValue {
        guard let base = buffer.baseAddress, !buffer.isEmpty else {
            throw JSONError.syntax(offset: 0, reason: "empty input")
        }
        let count = buffer.count
        if let nul = memchr(base, 0, count) {
            throw JSONError.syntax(offset: base.distance(to: UnsafeRawPointer(nul)), reason: "NUL byte in input")
        }
        if let offset = nulEscapeOffset(buffer) {
            throw JSONError.syntax(offset: offset, reason: "\\u0000 in a string is not supported")
        }
        let text = base.assumingMemoryBound(to: CChar.self)
        var end: UnsafePointer<CChar>? = nil
        // Not "require NUL terminated": with a length, cJSON would then read past the end
        // looking for the NUL. Trailing text is checked below instead.
        guard let root = cJSON_ParseWithLengthOpts(text, count, &end, 0) else {
            let offset = end.map { text.distance(to: $0) } ?? 0
            throw diagnose(buffer, failedAt: offset)
        }
        defer { cJSON_Delete(root) }
        var offset = end.map { text.distance(to: $0) } ?? count
        while offset < count, isWhitespace(buffer[offset]) { offset += 1 }
        guard offset == count else {
            throw JSONError.syntax(offset: offset, reason: "unexpected text after the JSON value near " + snippet(buffer, at: offset))
        }
        return value(of: root)
    }

    // The closures of withUTF8 / withUnsafeBytes rethrow untyped errors: carry a Result out.
    private static func parseResult(_ buffer: UnsafeRawBufferPointer) -> Result<JSONValue, JSONError> {
        do {
            return .success(try parse(buffer))
        } catch {
            return .failure(error)
        }
    }

    /// One cJSON node and its children as a `JSONValue`. Recursion is bounded by cJSON's
    /// nesting limit.
    private static func value(of node: UnsafeMutablePointer<cJSON>) -> JSONValue {
        switch node.pointee.type & 0xFF {
        case cJSON_False:
            return .bool(false)
        case cJSON_True:
            return .bool(true)
        case cJSON_Number:
            return .number(node.pointee.valuedouble)
        case cJSON_String:
            guard let text = node.pointee.valuestring else { return .string("") }
            return .string(String(cString: text))
        case cJSON_Array:
            var elements: [JSONValue] = []
            elements.reserveCapacity(Int(cJSON_GetArraySize(node)))
            var child = node.pointee.child
            while let element = child {
                elements.append(value(of: element))
                child = element.pointee.next
            }
            return .array(elements)
        case cJSON_Object:
            var object = JSONObject(minimumCapacity: Int(cJSON_GetArraySize(node)))
            var child = node.pointee.child
            while let member = child {
                let key = member.pointee.string.map { String(cString: $0) } ?? ""
                object.append(key, value(of: member))
                child = member.pointee.next
            }
            return .object(object)
        default:
            // cJSON_NULL; the parser never makes cJSON_Raw or cJSON_Invalid nodes.
            return .null
        }
    }

    /// Where the input has a `\u0000` escape. Backslashes are rare in our payloads, so
    /// memchr skips between them; each one consumes the character it escapes, so `\\u0000`
    /// (an escaped backslash, then text) is not a match.
    private static func nulEscapeOffset(_ buffer: UnsafeRawBufferPointer) -> Int? {
        guard let base = buffer.baseAddress else { return nil }
        let count = buffer.count
        var offset = 0
        while offset < count, let found = memchr(base + offset, 0x5C, count - offset) {
            let backslash = base.distance(to: UnsafeRawPointer(found))
            if backslash + 5 < count, buffer[backslash + 1] == 0x75, buffer[backslash + 2] == 0x30,
               buffer[backslash + 3] == 0x30, buffer[backslash + 4] == 0x30, buffer[backslash + 5] == 0x30 {
                return backslash
            }
            offset = backslash + 2
        }
        return nil
    }

    /// Turns cJSON's failure position into an error that says what went wrong. cJSON reports
    /// only where it stopped; this runs on the error path alone, so it may rescan the input.
    private static func diagnose(_ buffer: UnsafeRawBufferPointer, failedAt offset: Int) -> JSONError {
        let count = buffer.count
        if buffer.allSatisfy(isWhitespace) {
            return .syntax(offset: 0, reason: "empty input")
        }
        // Depth and string state at the failure, from the top.
        var depth = 0
        var inString = false
        var escaped = false
        for byte in buffer[0..<min(offset, count)] {
            if inString {
                if escaped { escaped = false } else if byte == 0x5C { escaped = true } else if byte == 0x22 { inString = false }
            } else if byte == 0x22 {
                inString = true
            } else if byte == 0x5B || byte == 0x7B {
                depth += 1
            } else if byte == 0x5D || byte == 0x7D {
                depth -= 1
            }
        }
        if depth >= Int(CJSON_NESTING_LIMIT) {
            return .syntax(offset: offset, reason: "nesting deeper than " + String(Int(CJSON_NESTING_LIMIT)) + " levels")
        }
        if offset >= count - 1 && endsEarly(buffer) {
            return .syntax(offset: count, reason: "unexpected end of input")
        }
        let near = snippet(buffer, at: offset)
        if inString {
            return .syntax(offset: offset, reason: "invalid string (unterminated, bad escape or lone surrogate) near " + near)
        }
        return .syntax(offset: offset, reason: "invalid JSON near " + near)
    }

    /// Whether cJSON failed for want of more input: cJSON reports both "ran out" and "the last
    /// byte is wrong" at the last byte, so parse again with a space appended; running out
    /// moves the failure onto the space.
    private static func endsEarly(_ buffer: UnsafeRawBufferPointer) -> Bool {
        var longer = [UInt8](buffer)
        longer.append(0x20)
        return longer.withUnsafeBytes { bytes -> Bool in
            guard let text = bytes.baseAddress?.assumingMemoryBound(to: CChar.self) else { return false }
            var end: UnsafePointer<CChar>? = nil
            if let root = cJSON_ParseWithLengthOpts(text, bytes.count, &end, 0) {
                cJSON_Delete(root)
                return false
            }
            return (end.map { text.distance(to: $0) } ?? 0) >= buffer.count
        }
    }

    /// Up to 16 bytes of input from `offset`, quoted and escaped onto one line.
    private static func snippet(_ buffer: UnsafeRawBufferPointer, at offset: Int) -> String {
        let start = min(max(offset, 0), buffer.count)
        let bytes = buffer[start..<min(start + 16, buffer.count)]
        return "\"" + JSONStringEscape.escape(String(decoding: bytes, as: UTF8.self)) + "\""
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }
}
