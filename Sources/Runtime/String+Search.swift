/// Substring search. `String.contains(String)` comes from _StringProcessing, which Embedded
/// Swift does not have; this byte-wise version works in both builds (UTF-8 is self-
/// synchronising, so a byte match of valid UTF-8 is a character-sequence match).
extension String {
    /// Whether `needle` occurs in this string.
    public func containsText(_ needle: String) -> Bool {
        rangeOfText(needle) != nil
    }

    /// The byte offset of the first occurrence of `needle`, or nil.
    public func rangeOfText(_ needle: String) -> Int? {
        let haystack = Array(utf8), pattern = Array(needle.utf8)
        if pattern.isEmpty { return 0 }
        guard haystack.count >= pattern.count else { return nil }
        var start = 0
        while start <= haystack.count - pattern.count {
            var matched = true
            for offset in 0..<pattern.count where haystack[start + offset] != pattern[offset] {
                matched = false
                break
            }
            if matched { return start }
            start += 1
        }
        return nil
    }
}
