import CCurl

/// `application/x-www-form-urlencoded` bodies, escaped by libcurl (never by hand).
public enum FormEncoding {
    /// `name=value&...` with both sides percent-encoded.
    public static func encode(_ fields: [HTTPHeader]) -> String {
        var out = ""
        for (index, field) in fields.enumerated() {
            if index > 0 { out += "&" }
            out += escape(field.name) + "=" + escape(field.value)
        }
        return out
    }

    /// Percent-encodes everything but unreserved characters (RFC 3986).
    public static func escape(_ text: String) -> String {
        let count = text.utf8.count
        guard count > 0 else { return "" }
        // Since curl 7.82 the handle argument is ignored; nil keeps this free of a transfer.
        let escaped = text.withCString { curl_easy_escape(nil, $0, Int32(count)) }
        guard let escaped else { preconditionFailure("curl_easy_escape: out of memory") }
        defer { curl_free(escaped) }
        return String(cString: escaped)
    }
}
