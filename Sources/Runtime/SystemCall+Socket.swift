import CSupport

extension SystemCall {
    /// Opens a socket (`socket(2)`); close-on-exec is always added to `type`. `name` labels
    /// errors, e.g. `socket(PF_CAN)`.
    public static func socket(
        domain: Int32, type: Int32, protocol: Int32, name: String
    ) throws(RuntimeError) -> OwnedDescriptor {
        let raw = try retrying(name) { CSupport.socket(domain, type | Int32(SOCK_CLOEXEC.rawValue), `protocol`) }
        return OwnedDescriptor(FileDescriptor(raw))
    }

    /// Sets socket option `option` at `level` to `value`, passed by address with its own size
    /// (`setsockopt(2)`): an `Int32` flag, a mask, a struct. `name` labels errors, e.g.
    /// `setsockopt(CAN_RAW_FD_FRAMES)`.
    public static func setOption<Value>(
        _ fd: FileDescriptor, level: Int32, option: Int32, to value: Value, name: String
    ) throws(RuntimeError) {
        var value = value
        _ = try withUnsafeBytes(of: &value) { raw throws(RuntimeError) -> Int32 in
            try retrying(name) { setsockopt(fd.rawValue, level, option, raw.baseAddress, socklen_t(raw.count)) }
        }
    }

    /// Binds a socket to `address`, any `sockaddr_*` struct passed with its own size
    /// (`bind(2)`). `name` labels errors, e.g. `bind(can0)`.
    public static func bind<Address>(
        _ fd: FileDescriptor, to address: Address, name: String
    ) throws(RuntimeError) {
        var address = address
        _ = try withUnsafeBytes(of: &address) { raw throws(RuntimeError) -> Int32 in
            try retrying(name) {
                CSupport.bind(fd.rawValue, raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t(raw.count))
            }
        }
    }

    /// The `sockaddr_un` of a filesystem Unix socket `path`, or nil when the path is empty or
    /// too long for `sun_path` (with its terminating zero).
    public static func unixAddress(_ path: String) -> sockaddr_un? {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        let fits = withUnsafeMutableBytes(of: &address.sun_path) { raw -> Bool in
            guard !bytes.isEmpty, bytes.count < raw.count else { return false }
            for (index, byte) in bytes.enumerated() { raw[index] = byte }
            return true
        }
        return fits ? address : nil
    }
}
