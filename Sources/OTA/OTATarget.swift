/// Whom a manifest is for, signed with it so a captured manifest cannot be replayed at
/// another gateway: one node (its `node.name`) or, for the fleet updates to come, a group.
/// Written `node:<name>` or `group:<name>` in the manifest.
public enum OTATarget: Equatable, CustomStringConvertible {
    case node(String)
    case group(String)

    /// Parses `node:<name>` or `group:<name>`; nil for anything else. Names follow the rule of
    /// `node.name` (1 to 64 letters, digits, `-`, `_`, `.`), so none can hold the newline
    /// that separates the signed text's fields.
    public init?(_ text: String) {
        let bytes = Array(text.utf8)
        guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")) else { return nil }
        let name = String(decoding: bytes[(colon + 1)...], as: UTF8.self)
        guard OTATarget.isName(name) else { return nil }
        switch String(decoding: bytes[..<colon], as: UTF8.self) {
        case "node": self = .node(name)
        case "group": self = .group(name)
        default: return nil
        }
    }

    /// `node:<name>` or `group:<name>`.
    public var description: String {
        switch self {
        case .node(let name): return "node:" + name
        case .group(let name): return "group:" + name
        }
    }

    /// Whether `text` may be a node or group name.
    public static func isName(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty, bytes.count <= 64 else { return false }
        return bytes.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".")
        }
    }
}
