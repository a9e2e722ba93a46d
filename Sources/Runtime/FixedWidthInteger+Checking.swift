/// The one checked way from a parsed `Double` to an integer.
///
/// `Int64(someDouble)` traps on NaN, on infinity and on anything outside Int64's range, and a
/// trap takes the whole gateway down (then a crash loop, when the number keeps coming back
/// from a cloud). Every number taken from outside (a JSON document, a JWT claim, a catalogue)
/// goes through this instead, and what does not fit becomes a clear error at the caller.
extension FixedWidthInteger {
    /// `value` without its fraction (rounded toward zero, as `Self(value)` would), or nil
    /// when it is NaN, infinite or outside `Self`'s range.
    @inlinable
    public init?(checking value: Double) {
        guard value.isFinite, let whole = Self(exactly: value.rounded(.towardZero)) else { return nil }
        self = whole
    }

    /// As `init?(checking:)`, and nil too when the result lies outside `range`.
    @inlinable
    public init?(checking value: Double, in range: ClosedRange<Self>) {
        guard let whole = Self(checking: value), range.contains(whole) else { return nil }
        self = whole
    }
}
