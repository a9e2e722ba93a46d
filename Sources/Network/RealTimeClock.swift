import CSupport
import Runtime

/// A battery-backed real-time clock (`/dev/rtc0`: a DS3231 on a Pi's I2C, the PL031 under
/// qemu), written after every time sync so the next boot starts at the right time even when
/// no time server answers then (rcS reads it back from /sys/class/rtc/rtc0/since_epoch).
/// Boards without one have no `/dev/rtc0`; that is not an error.
struct RealTimeClock {
    /// Linux's `RTC_SET_TIME` and `RTC_RD_TIME` (`_IOW`/`_IOR('p', 0x0a/0x09, struct rtc_time)`):
    /// `struct rtc_time` is nine ints, the leading fields of `struct tm`, so a `tm` carries it.
    static let setTimeRequest: UInt = 0x4024_700A
    static let readTimeRequest: UInt = 0x8024_7009
    static let defaultPath = "/dev/rtc0"

    let path: String

    init(path: String = RealTimeClock.defaultPath) { self.path = path }

    /// Whether the device exists.
    var isPresent: Bool { access(path, F_OK) == 0 }

    /// Sets the RTC to `seconds` since the epoch (UTC, whole seconds: an RTC keeps no more).
    /// One ioctl; on I2C a transfer of a few bytes, well under a millisecond's worth of the loop.
    func write(secondsSinceEpoch seconds: Int64) throws(NetworkError) {
        var time = time_t(seconds)
        var parts = tm()
        guard gmtime_r(&time, &parts) != nil else { throw .system("cannot convert the time for " + path) }
        parts.tm_isdst = 0
        let fd = try open(O_WRONLY)
        defer { fd.close() }
        guard sy_ioctl_ptr(fd.rawValue, RealTimeClock.setTimeRequest, &parts) == 0 else {
            throw .system("cannot set " + path + ": " + Errno.current.description)
        }
    }

    /// The RTC's time in seconds since the epoch, or nil when it cannot be read (no device,
    /// or a stopped oscillator, which drivers report as an invalid time).
    func read() -> Int64? {
        let fd: FileDescriptor
        do throws(NetworkError) { fd = try open(O_RDONLY) } catch { return nil }
        defer { fd.close() }
        var parts = tm()
        guard sy_ioctl_ptr(fd.rawValue, RealTimeClock.readTimeRequest, &parts) == 0 else { return nil }
        return Int64(timegm(&parts))
    }

    private func open(_ flags: Int32) throws(NetworkError) -> FileDescriptor {
        do throws(RuntimeError) { return try FileDescriptor.open(path, flags: flags) } catch {
            throw .system("cannot open " + path + ": " + error.description)
        }
    }
}
