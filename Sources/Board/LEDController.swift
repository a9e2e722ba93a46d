import Runtime

/// Plays an `LEDPattern` on an optional `LEDDevice` with run-loop timers (nothing sleeps).
/// Without a device (host, tests) the pattern is still tracked, so `state` and `status`
/// can show it.
public final class LEDController {
    public private(set) var pattern: LEDPattern = .off
    /// True while `test()` cycles through every pattern.
    public private(set) var isTesting = false
    /// Called when the pattern changes (the heartbeat reports it).
    public var onChange: ((LEDPattern) -> Void)?

    private let loop: EventLoop
    private let device: LEDDevice?
    private var step = 0
    private var timer: OneShotTimer?
    private var testTimer: OneShotTimer?
    private var wanted: LEDPattern = .off

    public init(loop: EventLoop, device: LEDDevice?) {
        self.loop = loop
        self.device = device
    }

    /// Shows `pattern` (unless a test is running: then it shows once the test ends).
    public func show(_ pattern: LEDPattern) {
        wanted = pattern
        guard !isTesting else { return }
        play(pattern)
    }

    /// Cycles through every pattern, `dwell` each, then returns to the current one.
    public func test(dwell: Interval = .seconds(3)) {
        testTimer?.cancel()
        isTesting = true
        let sequence: [LEDPattern] = [.booting, .noBroker, .connected, .ota, .fault, .off]
        playTest(sequence, index: 0, dwell: dwell)
    }

    private func playTest(_ sequence: [LEDPattern], index: Int, dwell: Interval) {
        guard index < sequence.count else {
            isTesting = false
            play(wanted)
            return
        }
        play(sequence[index])
        testTimer = loop.after(dwell) { [self] in self.playTest(sequence, index: index + 1, dwell: dwell) }
    }

    private func play(_ new: LEDPattern) {
        let changed = new != pattern
        pattern = new
        timer?.cancel()
        timer = nil
        step = 0
        apply()
        if changed { onChange?(new) }
    }

    private func apply() {
        let steps = pattern.steps
        let current = steps[step % steps.count]
        device?.set(current.on)
        // A steady pattern needs no timer: the LED sleeps with the loop.
        guard steps.count > 1 else { return }
        timer = loop.after(.milliseconds(current.milliseconds)) { [self] in
            self.step = (self.step + 1) % steps.count
            self.apply()
        }
    }
}
