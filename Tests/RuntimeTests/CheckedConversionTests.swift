import Runtime
import Testing

/// `Int64(checking:)`: the one conversion of a parsed double to an integer (issue 20: a JWT
/// `exp` of 9.3e18 trapped in `Int64(exp)` and took the gateway down).
@Suite("Checked conversion of doubles to integers")
struct CheckedConversionTests {
    @Test("NaN, infinities and values beyond the type's range are nil, not a trap")
    func refusesWhatDoesNotFit() {
        let refused: [Double] = [.nan, -.nan, .signalingNaN, .infinity, -.infinity, 9.3e18, 9.223372036854775808e18,
                                 -9.223372036854777856e18, 1e300, -1e300, .greatestFiniteMagnitude]
        for value in refused {
            #expect(Int64(checking: value) == nil, "\(value)")
            #expect(Int(checking: value) == nil, "\(value)")
        }
        #expect(UInt64(checking: -1) == nil)
        #expect(UInt8(checking: 256) == nil)
        #expect(Int32(checking: 2_147_483_648) == nil)
        #expect(UInt16(checking: .nan) == nil)
    }

    @Test("values that fit convert, the fraction cut toward zero as Int64(_:) does")
    func convertsWhatFits() {
        #expect(Int64(checking: 1_700_003_600) == 1_700_003_600)
        #expect(Int64(checking: 1_700_003_600.75) == 1_700_003_600)
        #expect(Int64(checking: -2.9) == -2)
        #expect(Int64(checking: -0.0) == 0)
        #expect(Int64(checking: 0.999) == 0)
        // The extremes that are exact doubles: -2^63 fits, 2^63 does not (above).
        #expect(Int64(checking: -9_223_372_036_854_775_808) == .min)
        #expect(Int64(checking: 9_223_372_036_854_774_784) == 9_223_372_036_854_774_784)
        #expect(UInt8(checking: 255.9) == 255)
        #expect(UInt64(checking: -0.5) == 0)
    }

    @Test("a range narrows what is taken")
    func range() {
        let exp: ClosedRange<Int64> = 1...99_999_999_999
        #expect(Int64(checking: 1_700_003_600, in: exp) == 1_700_003_600)
        #expect(Int64(checking: 0, in: exp) == nil)
        #expect(Int64(checking: -1e300, in: exp) == nil)
        #expect(Int64(checking: 1e11, in: exp) == nil)
        #expect(Int64(checking: 9.3e18, in: exp) == nil)
        #expect(Int64(checking: .infinity, in: exp) == nil)
        #expect(Int(checking: 60.5, in: 1...60) == 60)
    }
}
