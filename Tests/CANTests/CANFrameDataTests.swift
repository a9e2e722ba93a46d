import Testing
@testable import CAN

/// Frame data lives inline, so a frame crossing reader thread -> ring -> loop is a plain
/// value: no heap, no reference counting.
@Suite("CAN frame data")
struct CANFrameDataTests {
    @Test("frames and malformed-input reports are trivial values (nothing to allocate or retain)")
    func framesAreTrivial() {
        #expect(_isPOD(CANFrameData.self))
        #expect(_isPOD(CANFrame.self))
        #expect(_isPOD(CANMalformation.self))
    }

    @Test("built from arrays, literals, raw bytes and repeats; reads back the same bytes")
    func buildsAndReadsBack() {
        let bytes: [UInt8] = [0xDE, 0xAD, 0xBE, 0xEF, 1, 2, 3, 4, 5]
        let data = CANFrameData(bytes)
        #expect(data.count == 9)
        #expect(data.bytes == bytes)
        #expect(Array(data) == bytes)
        #expect(data[4] == 1)
        #expect(data == [0xDE, 0xAD, 0xBE, 0xEF, 1, 2, 3, 4, 5])
        #expect(bytes.withUnsafeBytes { CANFrameData($0) } == data)
        #expect(CANFrameData(repeating: 7, count: 3) == [7, 7, 7])
        #expect(CANFrameData().isEmpty)
        #expect(data.withUnsafeBytes { Array($0) } == bytes)

        let full = CANFrameData((0..<64).map { UInt8($0) })
        #expect(full.count == CANFrameData.capacity)
        #expect(full[63] == 63)
        #expect(CANFrame(id: 1, fd: true, data: full.bytes).data == full)
    }

    @Test("equality is by length and bytes, also after mutation")
    func equality() {
        var data: CANFrameData = [1, 2, 3]
        #expect(data != [1, 2])
        #expect(data != [1, 2, 3, 0], "a trailing zero byte is still a byte")
        #expect(CANFrameData([]) == CANFrameData())
        data[2] = 9
        #expect(data == [1, 2, 9])
        data.append(0)
        #expect(data == [1, 2, 9, 0])
        #expect(data.count == 4)
    }

    @Test("text samples of bad input keep 40 printable bytes and mark the cut")
    func inputSamples() {
        #expect(CANInputSample([0x41, 0x00, 0x42]).description == "A?B")
        let long = CANInputSample([UInt8](repeating: UInt8(ascii: "x"), count: 100))
        #expect(long.description == String(repeating: "x", count: 40) + "...")
        #expect(CANMalformation.slcanGarbage("zz").description == "unparseable SLCAN line \"zz\"")
    }
}
