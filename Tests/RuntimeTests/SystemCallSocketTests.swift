import CSupport
import Foundation
import Runtime
import Testing

/// The socket calls every module makes through SystemCall (SocketCAN's raw socket, its
/// options, its bind): checked on unix sockets, which every kernel has.
@Suite("SystemCall socket wrappers")
struct SystemCallSocketTests {
    @Test("opens a socket, sets an option it takes, and names the call when one is refused")
    func setsAndRefusesOptions() throws {
        let socket = try SystemCall.socket(domain: AF_UNIX, type: Int32(SOCK_DGRAM.rawValue), protocol: 0,
                                           name: "socket(AF_UNIX)")
        // fdinfo's flags are octal; O_CLOEXEC is 02000000.
        let info = try String(contentsOfFile: "/proc/self/fdinfo/\(socket.fd.rawValue)", encoding: .utf8)
        let flags = info.split(separator: "\n").first { $0.hasPrefix("flags:") }.flatMap { Int($0.dropFirst(6).trimmingCharacters(in: .whitespaces), radix: 8) }
        #expect((flags ?? 0) & 0o2000000 != 0, "close-on-exec is always on")
        try SystemCall.setOption(socket.fd, level: SOL_SOCKET, option: SO_RCVBUF, to: Int32(65536), name: "setsockopt(SO_RCVBUF)")
        do {
            // SOL_CAN_RAW (101) means nothing to a unix socket.
            try SystemCall.setOption(socket.fd, level: 101, option: 5, to: Int32(1), name: "setsockopt(CAN_RAW_FD_FRAMES)")
            Issue.record("a unix socket accepted a CAN option")
        } catch {
            guard case .system(let call, _) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(call == "setsockopt(CAN_RAW_FD_FRAMES)")
        }
    }

    @Test("binds to an address struct and reports a taken one")
    func bindsAndReportsConflicts() throws {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        // An abstract address (leading NUL): nothing on disk to clean up.
        let name = Array("\0switchyard-bind-test-\(getpid())".utf8)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in name.enumerated() { raw[index] = byte }
        }
        let first = try SystemCall.socket(domain: AF_UNIX, type: Int32(SOCK_DGRAM.rawValue), protocol: 0, name: "socket")
        try SystemCall.bind(first.fd, to: address, name: "bind(first)")
        let second = try SystemCall.socket(domain: AF_UNIX, type: Int32(SOCK_DGRAM.rawValue), protocol: 0, name: "socket")
        #expect(throws: RuntimeError.system(call: "bind(second)", errno: Errno(EADDRINUSE))) {
            try SystemCall.bind(second.fd, to: address, name: "bind(second)")
        }
    }
}
