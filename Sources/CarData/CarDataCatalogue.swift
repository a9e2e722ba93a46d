import JSON
import Runtime

/// BMW's data catalogue: a name, unit and category for each streamed key. Fetched page by
/// page (10 items each), cached in the data directory in the seed's `bmw_data_catalogue.json`
/// shape (`{"metadata", "categories", "items": {id: item}}`), so either tool reads the other's.
public struct CarDataCatalogue: Equatable {
    /// One descriptor.
    public struct Item: Equatable {
        public let id: String
        public let name: String
        public let description: String
        /// nil when BMW gives none ("" or "-").
        public let unit: String?
        public let category: String
        public let datatype: String
    }

    public private(set) var items: [String: Item] = [:]
    /// Category -> (description, rank).
    public private(set) var categories: [String: (description: String, rank: Int)] = [:]
    /// Items of a page that could not be read (no id): counted, skipped.
    public private(set) var skippedItems = 0

    public init() {}

    public static func == (lhs: CarDataCatalogue, rhs: CarDataCatalogue) -> Bool {
        lhs.items == rhs.items && lhs.categories.keys.sorted() == rhs.categories.keys.sorted()
    }

    public var isEmpty: Bool { items.isEmpty }

    /// The catalogue's name for `key`, or the key itself.
    public func name(_ key: String) -> String { items[key]?.name ?? key }

    /// The unit for `key`, if the catalogue has one.
    public func unit(_ key: String) -> String? { items[key]?.unit }

    // MARK: pages

    /// The page URL for `offset`, as the seed asks for it.
    public static func pageURL(base: String, offset: Int) -> String {
        base + "?streamable=true&offset=" + String(offset) + "&q=&category="
    }

    /// Adds one page's items; returns whether another page follows, or why the page is bad.
    public mutating func addPage(_ body: [UInt8]) -> Result<Bool, CarDataError> {
        let json: JSONValue
        do throws(JSONError) { json = try JSONValue.parse(body) } catch {
            return .failure(.malformed("catalogue page is not JSON (" + String(body.count) + " bytes)"))
        }
        let succeeded = json["success"]?.boolValue == true || json["status"]?.stringValue == "SUCCESS"
        guard succeeded else { return .failure(.malformed("catalogue page does not report success")) }
        guard let data = json["data"], let list = data["items"]?.arrayValue else {
            return .failure(.malformed("catalogue page has no data.items"))
        }
        for value in list { add(value) }
        if let cats = data["categories"]?.objectValue { readCategories(cats) }
        return .success(data["hasNextPage"]?.boolValue == true)
    }

    private mutating func add(_ value: JSONValue) {
        guard let id = value["id"]?.stringValue, !id.isEmpty else {
            skippedItems += 1
            return
        }
        var unit = value["unit"]?.stringValue
        if unit == "" || unit == "-" { unit = nil }
        items[id] = Item(id: id, name: value["name"]?.stringValue ?? id,
                         description: value["description"]?.stringValue ?? "", unit: unit,
                         category: value["category"]?.stringValue ?? "", datatype: value["datatype"]?.stringValue ?? "")
    }

    private mutating func readCategories(_ object: JSONObject) {
        for (name, info) in object {
            categories[name] = (info["description"]?.stringValue ?? "", info["rank"]?.intValue ?? 999)
        }
    }

    // MARK: cache file

    /// The cache file's JSON (the seed's shape).
    public func cacheJSON(fetchedAt: Int64, source: String) -> JSONValue {
        var metadata = JSONObject(minimumCapacity: 3)
        metadata.append("fetched_at", .int(fetchedAt))
        metadata.append("total_items", .int(items.count))
        metadata.append("api_url", .string(source))
        var cats = JSONObject(minimumCapacity: categories.count)
        for name in categories.keys.sorted() {
            let info = categories[name]!
            cats.append(name, ["description": .string(info.description), "rank": .int(info.rank)])
        }
        var all = JSONObject(minimumCapacity: items.count)
        for id in items.keys.sorted() {
            let item = items[id]!
            var object = JSONObject(minimumCapacity: 6)
            object.append("id", .string(item.id))
            object.append("name", .string(item.name))
            object.append("description", .string(item.description))
            object.append("unit", .string(item.unit ?? ""))
            object.append("category", .string(item.category))
            object.append("datatype", .string(item.datatype))
            all.append(id, .object(object))
        }
        return ["metadata": .object(metadata), "categories": .object(cats), "items": .object(all)]
    }

    /// A catalogue from a cache file's bytes.
    public static func parseCache(_ bytes: [UInt8]) -> Result<CarDataCatalogue, CarDataError> {
        let json: JSONValue
        do throws(JSONError) { json = try JSONValue.parse(bytes) } catch {
            return .failure(.malformed("catalogue cache is not JSON"))
        }
        var catalogue = CarDataCatalogue()
        if let object = json["items"]?.objectValue {
            for (_, value) in object { catalogue.add(value) }
        } else if let list = json["items"]?.arrayValue {
            for value in list { catalogue.add(value) }
        } else {
            return .failure(.malformed("catalogue cache has no items"))
        }
        if let cats = json["categories"]?.objectValue { catalogue.readCategories(cats) }
        return .success(catalogue)
    }

    /// Loads the cache at `path`; nil when there is none.
    public static func load(_ path: String) -> Result<CarDataCatalogue, CarDataError>? {
        do throws(RuntimeError) {
            guard let bytes = try FileSystem.read(path, limit: 8 << 20) else { return nil }
            return parseCache(bytes)
        } catch {
            return .failure(.file("cannot read " + path + ": " + error.description))
        }
    }

    /// Writes the cache atomically.
    public func save(_ path: String, fetchedAt: Int64, source: String) throws(CarDataError) {
        do throws(RuntimeError) {
            try FileSystem.replaceAtomically(path: path, bytes: Array(cacheJSON(fetchedAt: fetchedAt, source: source).prettyPrinted().utf8),
                                             mode: 0o644)
        } catch {
            throw .file("cannot write " + path + ": " + error.description)
        }
    }

    // MARK: queries (the seed's bmw_catalogue.py options)

    /// Items whose id, name or description contains `text` (any case), sorted by id.
    public func search(_ text: String) -> [Item] {
        let needle = CarDataCatalogue.lower(text)
        return items.values.filter {
            CarDataCatalogue.lower($0.id).containsText(needle) || CarDataCatalogue.lower($0.name).containsText(needle)
                || CarDataCatalogue.lower($0.description).containsText(needle)
        }.sorted { $0.id < $1.id }
    }

    /// Items of `category`, sorted by id.
    public func items(in category: String) -> [Item] {
        items.values.filter { $0.category == category }.sorted { $0.id < $1.id }
    }

    /// Categories by rank (then name).
    public var categoryNames: [String] {
        var names = Set(categories.keys)
        for item in items.values where !item.category.isEmpty { names.insert(item.category) }
        return names.sorted {
            let a = categories[$0]?.rank ?? 999, b = categories[$1]?.rank ?? 999
            return a != b ? a < b : $0 < $1
        }
    }

    /// "total items" and per-category counts, as lines.
    public var statsLines: [String] {
        var lines = ["Total items: " + String(items.count)]
        for name in categoryNames {
            let count = items.values.filter { $0.category == name }.count
            let description = categories[name]?.description ?? ""
            lines.append("  " + name + ": " + String(count) + " items" + (description.isEmpty ? "" : " - " + description))
        }
        return lines
    }

    static func lower(_ text: String) -> String {
        var bytes = Array(text.utf8)
        for index in bytes.indices where bytes[index] >= 65 && bytes[index] <= 90 { bytes[index] += 32 }
        return String(decoding: bytes, as: UTF8.self)
    }
}
