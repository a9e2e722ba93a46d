import CAN
import Testing

@Suite("Accept filters, change suppression, cansend syntax")
struct CANFilterTests {
    @Test("ID:MASK rules accept what SocketCAN's filters would")
    func filtersByMask() throws {
        let filter = try CANFilter(parsing: "0x7E8:0x7F8, 0x100 0x18DAF100:0x1FFFFF00")
        #expect(filter.rules.count == 3)
        for id: UInt32 in [0x7E8, 0x7EF, 0x100, 0x18DA_F1F1] { #expect(filter.accepts(id)) }
        for id: UInt32 in [0x7E7, 0x7F0, 0x101, 0x18DA_F200] { #expect(!filter.accepts(id)) }
        #expect(CANFilter.acceptAll.accepts(0x1234))
        #expect(try CANFilter(parsing: "").rules.isEmpty)
        #expect(try CANFilter(parsing: "256:2047").rules == [CANFilter.Rule(id: 256, mask: 2047)])
    }

    @Test("malformed filter text names the rule at fault")
    func rejectsBadFilters() {
        for bad in ["0x7E8:", "xyz", "0x7E8:0x7F8:1", "0x20000000", "1:0x40000000"] {
            #expect(throws: CANError.self) { try CANFilter(parsing: bad) }
        }
    }

    @Test("only-on-change passes new ids and changed data, suppresses repeats")
    func suppressesRepeats() {
        var suppressor = ChangeSuppressor(capacity: 2)
        let frames = [
            CANFrame(id: 1, data: [1]), CANFrame(id: 1, data: [1]), CANFrame(id: 1, data: [2]),
            // Extended id 1 is another message.
            CANFrame(id: 1, extended: true, data: [2]), CANFrame(id: 1, extended: true, data: [2]),
            // Full: unknown ids always pass rather than risk hiding a change.
            CANFrame(id: 3, data: [0]), CANFrame(id: 3, data: [0]),
        ]
        let verdicts = frames.map { suppressor.isChanged($0) }
        #expect(verdicts == [true, false, true, true, false, true, true])
        #expect(suppressor.untracked == 2)
        suppressor.reset()
        let afterReset = suppressor.isChanged(CANFrame(id: 1, data: [2]))
        #expect(afterReset)
    }

    @Test("cansend syntax parses to frames and rejects impossible ones")
    func parsesCansendSyntax() {
        #expect(CANFrame(text: "7DF#0201050000000000") == CANFrame(id: 0x7DF, data: [2, 1, 5, 0, 0, 0, 0, 0]))
        #expect(CANFrame(text: "18DAF110#03.22.F1.90") == CANFrame(id: 0x18DA_F110, extended: true, data: [3, 0x22, 0xF1, 0x90]))
        #expect(CANFrame(text: "123#R") == CANFrame(id: 0x123, remote: true))
        #expect(CANFrame(text: "123#R3") == CANFrame(id: 0x123, remote: true, data: [0, 0, 0]))
        #expect(CANFrame(text: "123##1" + String(repeating: "AA", count: 12))
                == CANFrame(id: 0x123, fd: true, bitRateSwitch: true, data: [UInt8](repeating: 0xAA, count: 12)))
        for bad in ["123", "1234#00", "800#00", "123#0", "123#" + String(repeating: "00", count: 9), "123##1" + String(repeating: "00", count: 13), "123#R9"] {
            #expect(CANFrame(text: bad) == nil, "accepted \(bad)")
        }
    }
}
