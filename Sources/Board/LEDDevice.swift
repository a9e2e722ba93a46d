import CSupport
import Runtime

/// A sysfs LED (`/sys/class/leds/<name>/`): writes `brightness`, and sets `trigger` to
/// `none` first so the kernel (e.g. the Pi's mmc0 activity trigger) stops driving it.
/// Any directory with those two files works, which is how tests stand in for the kernel.
public final class LEDDevice {
    public let directory: String
    /// Writes that failed (logged once): an LED must never take the gateway down.
    public private(set) var failedWrites = 0
    private var lastWritten: Bool?
    private let log = Logger("led")

    public init(directory: String) {
        self.directory = directory
        write("none", to: "trigger")
    }

    /// Switches the LED; writes only on change.
    public func set(_ on: Bool) {
        guard lastWritten != on else { return }
        lastWritten = on
        write(on ? "1" : "0", to: "brightness")
    }

    private func write(_ text: String, to file: String) {
        let path = directory + "/" + file
        do throws(RuntimeError) {
            let fd = try FileDescriptor.open(path, flags: O_WRONLY | O_TRUNC)
            defer { fd.close() }
            try fd.writeAll(text + "\n")
        } catch {
            failedWrites += 1
            if failedWrites == 1 { log.warning("cannot drive LED: \(error.description)") }
        }
    }
}
