import CJSON
import CSupport
import Runtime

/// Printing: the value becomes a cJSON tree, cJSON prints it, and both are freed before
/// returning. Numbers print exactly (see `sy_cjson_create_number`): integers as plain digits,
/// fractions in the fewest digits that read back to the same double; NaN and infinity, which
/// JSON cannot say, print as null.
extension JSONValue {
    /// Compact JSON text: no whitespace, members in order.
    public func serialized() -> String {
        text(formatted: false)
    }

    /// JSON text for people: one member or element per line, indented with tabs (cJSON's
    /// layout).
    public func prettyPrinted() -> String {
        text(formatted: true)
    }

    private func text(formatted: Bool) -> String {
        let root = makeNode()
        defer { cJSON_Delete(root) }
        guard let printed = formatted ? cJSON_Print(root) : cJSON_PrintUnformatted(root) else {
            fatalError("cJSON: out of memory printing JSON")
        }
        defer { cJSON_free(printed) }
        return String(cString: printed)
    }

    /// A cJSON tree for this value; the caller deletes it.
    private func makeNode() -> UnsafeMutablePointer<cJSON> {
        switch self {
        case .null:
            return allocated(cJSON_CreateNull())
        case .bool(let value):
            return allocated(cJSON_CreateBool(value ? 1 : 0))
        case .number(let value):
            return allocated(sy_cjson_create_number(value))
        case .string(let value):
            return JSONValue.makeString(value)
        case .array(let elements):
            let node = allocated(cJSON_CreateArray())
            for element in elements {
                // cJSON keeps the last child in the first child's `prev`: appending is O(1).
                cJSON_AddItemToArray(node, element.makeNode())
            }
            return node
        case .object(let object):
            let node = allocated(cJSON_CreateObject())
            for (key, value) in object {
                let child = value.makeNode()
                // cJSON copies the key; a key holding U+0000 is cut there (C strings).
                let added = key.withCString { cJSON_AddItemToObject(node, $0, child) }
                guard added != 0 else { fatalError("cJSON: out of memory building an object") }
            }
            return node
        }
    }

    /// cJSON copies strings with strlen, which would cut one holding U+0000: such a string
    /// goes in as raw text, escaped by us.
    private static func makeString(_ value: String) -> UnsafeMutablePointer<cJSON> {
        let node = value.withCString { text in
            strlen(text) == value.utf8.count ? cJSON_CreateString(text) : nil
        }
        if let node { return node }
        let literal = "\"" + JSONStringEscape.escape(value) + "\""
        return allocated(literal.withCString { cJSON_CreateRaw($0) })
    }
}

/// cJSON returns NULL only when malloc fails; Swift traps on that too.
private func allocated(_ node: UnsafeMutablePointer<cJSON>?) -> UnsafeMutablePointer<cJSON> {
    guard let node else { fatalError("cJSON: out of memory building JSON") }
    return node
}
