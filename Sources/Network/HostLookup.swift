import CSupport
import Runtime
import Synchronization

/// Resolves host names to IPv4 addresses on a thread of its own: getaddrinfo(3) blocks for as
/// long as DNS takes (seconds when the network is not up yet), and nothing may block the run
/// loop. The answer arrives on the loop through a wake source.
final class HostLookup: @unchecked Sendable {
    // Written by the lookup thread only until it release-stores `done`; read by the loop only after.
    private var addresses: [[UInt8]] = []
    private let hosts: [String]
    private let done = Atomic<Bool>(false)
    private var thread: WorkerThread?
    private var wake: WakeSource?

    init(hosts: [String]) { self.hosts = hosts }

    /// Starts the lookups; `finished` gets one IPv4 address (4 bytes, or empty) per host, on the loop.
    func start(loop: EventLoop, finished: @escaping ([[UInt8]]) -> Void) throws(RuntimeError) {
        let wake = try loop.wakeSource { [self] in
            guard self.done.load(ordering: .acquiring) else { return }
            self.wake?.cancel()
            self.wake = nil
            self.thread?.join()
            self.thread = nil
            finished(self.addresses)
        }
        self.wake = wake
        thread = try WorkerThread { [self] in
            self.addresses = self.hosts.map { HostLookup.resolve($0) }
            self.done.store(true, ordering: .releasing)
            wake.signal()
        }
    }

    /// Abandons an unfinished lookup: its answer is dropped (the thread ends on its own).
    func cancel() {
        wake?.cancel()
        wake = nil
        thread = nil
    }

    /// The first IPv4 address of `host` (a literal needs no DNS), or empty.
    static func resolve(_ host: String) -> [UInt8] {
        var hints = addrinfo()
        hints.ai_family = AF_INET
        hints.ai_socktype = Int32(SOCK_DGRAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &list) == 0, let first = list else { return [] }
        defer { freeaddrinfo(list) }
        guard let raw = first.pointee.ai_addr, first.pointee.ai_family == AF_INET else { return [] }
        let address = raw.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr.s_addr }
        return withUnsafeBytes(of: address) { Array($0) }
    }
}
