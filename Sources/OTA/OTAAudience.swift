import JSON

/// Which gateways of a group a fleet manifest is for (issue 30): the nodes of the waves
/// started so far (empty: every member), a board, and the lowest version it may update
/// from. Signed with the manifest, so a wave's manifest cannot be widened to the group by
/// anyone on the broker. A gateway outside the audience ignores the manifest quietly: it is
/// not a refusal, just not its turn.
public struct OTAAudience: Equatable {
    /// `node.name`s the manifest is for; empty means every gateway of the target group.
    public var nodes: [String]
    /// `board.name` the image is for; empty means any.
    public var board: String
    /// The lowest running version that may take the image; nil means any.
    public var minVersion: OTAVersion?

    /// Most nodes one manifest names: bounds the manifest, and a wave larger than this is
    /// the whole group anyway.
    public static let maxNodes = 1024

    public init(nodes: [String] = [], board: String = "", minVersion: OTAVersion? = nil) {
        self.nodes = nodes
        self.board = board
        self.minVersion = minVersion
    }

    /// Whether the manifest restricts nothing beyond its target.
    public var isEveryone: Bool { nodes.isEmpty && board.isEmpty && minVersion == nil }

    /// Why a gateway is outside the audience, or nil when it is inside.
    public func excludes(node: String, board gatewayBoard: String, running: String) -> String? {
        if !nodes.isEmpty && !nodes.contains(node) { return "not in this wave's nodes" }
        if !board.isEmpty && board != gatewayBoard { return "for board " + board + ", this gateway is " + gatewayBoard }
        if let minVersion {
            guard let current = OTAVersion(running), !(current < minVersion) else {
                return "needs version " + minVersion.description + " or later to update from, this gateway runs " + running
            }
        }
        return nil
    }

    /// The signed lines (part of `OTAManifest.canonicalText` for group manifests).
    var canonicalLines: String {
        var names = ""
        for (index, node) in nodes.enumerated() { names += (index == 0 ? "" : ",") + node }
        return "nodes=" + names + "\n" + "board=" + board + "\n" + "min_version=" + (minVersion?.description ?? "") + "\n"
    }

    /// Adds its members to a manifest's JSON.
    func append(to object: inout JSONObject) {
        object.append("nodes", .array(nodes.map { .string($0) }))
        object.append("board", .string(board))
        if let minVersion { object.append("min_version", .string(minVersion.description)) }
    }

    /// The audience in a manifest's JSON; every member is optional, each checked.
    static func parse(_ cursor: JSONCursor) throws(OTAError) -> OTAAudience {
        var audience = OTAAudience()
        var items: [JSONValue] = []
        var board = ""
        var version: String?
        do throws(JSONError) {
            if let list = cursor["nodes"].ifPresent { items = try list.array() }
            if let text = cursor["board"].ifPresent { board = try text.string() }
            if let text = cursor["min_version"].ifPresent { version = try text.string() }
        } catch {
            throw .invalidManifest(error.description)
        }
        guard items.count <= maxNodes else {
            throw .invalidManifest("nodes: more than " + String(maxNodes) + " names")
        }
        for item in items {
            guard let name = item.stringValue, OTATarget.isName(name) else {
                throw .invalidManifest("nodes: an entry is not a node name")
            }
            audience.nodes.append(name)
        }
        guard board.isEmpty || OTATarget.isName(board) else { throw .invalidManifest("board: not a board name") }
        audience.board = board
        if let version {
            guard let parsed = OTAVersion(version) else { throw .invalidManifest("min_version: not a version") }
            audience.minVersion = parsed
        }
        return audience
    }
}
