import CAN
import Runtime
import Testing

@Suite("Rate-limited drop logging")
struct CANDropReporterTests {
    @Test("each kind is logged once, then at most once per interval with the count suppressed meanwhile")
    func logsOncePerKindPerInterval() {
        let clock = TestClock()
        let reporter = CANDropReporter(log: Logger("can-drop-test"), clock: clock, interval: .seconds(60))

        #expect(reporter.report(.payloadTooShort(3), context: "x"))
        for _ in 0..<100 { #expect(!reporter.report(.payloadTooShort(3), context: "x")) }
        #expect(reporter.report(.slcanGarbage("zz"), context: "bus"), "another kind has its own budget")
        clock.advance(by: .seconds(59))
        #expect(!reporter.report(.payloadTooShort(4), context: "x"))
        clock.advance(by: .seconds(1))
        #expect(reporter.report(.payloadTooShort(5), context: "x"))

        #expect(reporter.lastReport?.contains("payload of 5 bytes") == true)
        #expect(reporter.lastReport?.contains("101 more of this kind") == true)
    }
}
