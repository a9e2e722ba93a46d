import CSerialPort
import CSupport

/// The one place that turns libserialport's return codes into Swift: an `sp_return` below
/// zero becomes a `Failure` carrying the OS's message (read right after the failing call,
/// as libserialport requires) and its errno, so callers can tell an unplug from a refusal.
enum SerialPortLibrary {
    /// A failed libserialport call.
    struct Failure {
        let code: sp_return
        /// The OS error for `SP_ERR_FAIL`, 0 otherwise.
        let errno: Int32
        let message: String
    }

    /// nil for success (or a non-negative count), the failure otherwise.
    static func failure(of result: sp_return) -> Failure? {
        if result.rawValue >= 0 { return nil }
        if result == SP_ERR_FAIL {
            let code = sp_last_error_code()
            var message = "errno " + String(code)
            if let text = sp_last_error_message() {
                message = String(cString: text)
                sp_free_error_message(text)
            }
            return Failure(code: result, errno: code, message: message)
        }
        if result == SP_ERR_ARG { return Failure(code: result, errno: 0, message: "invalid argument") }
        if result == SP_ERR_MEM { return Failure(code: result, errno: 0, message: "out of memory") }
        if result == SP_ERR_SUPP { return Failure(code: result, errno: 0, message: "not supported by this port") }
        return Failure(code: result, errno: 0, message: "libserialport error " + String(result.rawValue))
    }

    /// A C string libserialport owns (the port's name, description, ...), copied.
    static func string(_ pointer: UnsafeMutablePointer<CChar>?) -> String? {
        guard let pointer else { return nil }
        let text = String(cString: pointer)
        return text.isEmpty ? nil : text
    }

    /// Whether `errno` means the device itself is gone rather than the request refused.
    static func isDisconnect(_ errno: Int32) -> Bool {
        errno == EIO || errno == ENXIO || errno == ENODEV
    }
}
