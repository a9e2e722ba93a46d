import Board
import Foundation
import Runtime
import TestSupport
import Testing

@Suite("Status LED patterns on a stand-in sysfs LED")
struct LEDControllerTests {
    /// A directory with `brightness` and `trigger`, as /sys/class/leds/<name>/ has.
    private func makeLED() -> (TemporaryDirectory, LEDDevice) {
        let directory = TemporaryDirectory(prefix: "led")
        FileManager.default.createFile(atPath: directory.file("brightness"), contents: Data("0\n".utf8))
        FileManager.default.createFile(atPath: directory.file("trigger"), contents: Data("[mmc0] none\n".utf8))
        return (directory, LEDDevice(directory: directory.path))
    }

    private func read(_ directory: TemporaryDirectory, _ name: String) -> String {
        (try? String(contentsOfFile: directory.file(name), encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? "?"
    }

    /// Samples the brightness file every `step` ms for `count` samples under a test clock.
    private func samples(_ directory: TemporaryDirectory, clock: TestClock, loop: EventLoop,
                         step: Int64, count: Int) -> String {
        var trace = ""
        for _ in 0..<count {
            trace += read(directory, "brightness") == "1" ? "#" : "."
            clock.advance(by: .milliseconds(step))
            loop.dispatchDue()
        }
        return trace
    }

    @Test("the trigger is released to us and each pattern blinks with its own rhythm")
    func patterns() throws {
        let (directory, device) = makeLED()
        #expect(read(directory, "trigger") == "none")
        let clock = TestClock()
        let loop = try EventLoop(clock: clock)
        let led = LEDController(loop: loop, device: device)

        led.show(.booting)
        #expect(samples(directory, clock: clock, loop: loop, step: 100, count: 6) == "#.#.#.")
        led.show(.noBroker)
        #expect(samples(directory, clock: clock, loop: loop, step: 500, count: 8) == "##..##..")
        led.show(.connected)
        #expect(samples(directory, clock: clock, loop: loop, step: 500, count: 4) == "####")
        #expect(loop.timeUntilNextDeadline() == nil, "a steady LED needs no timer")
        led.show(.ota)
        #expect(samples(directory, clock: clock, loop: loop, step: 50, count: 20) == "##...##.............")
        led.show(.fault)
        // S O S in 150 ms units: dot dot dot, dash dash dash, dot dot dot, then a word gap.
        let sos = samples(directory, clock: clock, loop: loop, step: 150, count: 34)
        #expect(sos == "#.#.#...###.###.###...#.#.#.......")
    }

    @Test("led test cycles every pattern and returns to the current one")
    func ledTest() throws {
        let (directory, device) = makeLED()
        let clock = TestClock()
        let loop = try EventLoop(clock: clock)
        let led = LEDController(loop: loop, device: device)
        var seen: [String] = []
        led.onChange = { seen.append($0.name) }
        led.show(.connected)
        led.test(dwell: .seconds(1))
        led.show(.noBroker) // arrives during the test: shown once it ends
        for _ in 0..<70 {
            clock.advance(by: .milliseconds(100))
            loop.dispatchDue()
        }
        #expect(seen == ["connected", "booting", "no-broker", "connected", "ota", "fault", "off", "no-broker"])
        #expect(!led.isTesting)
        #expect(led.pattern == .noBroker)
        _ = directory
    }

    @Test("without a device the pattern is still tracked")
    func noDevice() throws {
        let loop = try EventLoop(clock: TestClock())
        let led = LEDController(loop: loop, device: nil)
        led.show(.fault)
        #expect(led.pattern == .fault)
    }

    @Test("a missing LED is reported, not fatal")
    func missingLED() {
        let device = LEDDevice(directory: "/nonexistent/led")
        device.set(true)
        device.set(false)
        #expect(device.failedWrites == 3)
    }
}
