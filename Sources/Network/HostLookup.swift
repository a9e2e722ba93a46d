import CSupport
import Runtime
import Synchronization

/// Resolves host names to IPv4 addresses on a thread of its own: getaddrinfo(3) blocks for as
/// long as DNS takes (seconds when the network is not up yet), and nothing may block the run
/// loop. The loop looks for the answer every 100 ms (no descriptor to leak if the service
/// stops meanwhile). A lookup that cannot be cancelled keeps running after its owner gave
/// up, so at most one runs per process: a service restarted many times while DNS hangs
/// waits for it instead of piling up threads.
final class HostLookup: @unchecked Sendable {
    /// Lookups running in this process (0 or 1).
    private static let running = Atomic<Int>(0)

    // Written by the lookup thread only until it release-stores `done`; read by the loop only after.
    private var addresses: [[UInt8]] = []
    private let hosts: [String]
    private let done = Atomic<Bool>(false)
    private var poll: FixedRateTask?

    init(hosts: [String]) { self.hosts = hosts }

    /// Starts the lookups; `finished` gets one IPv4 address (4 bytes, or empty) per host, on
    /// the loop. False when another lookup still runs (try again later).
    func start(loop: EventLoop, finished: @escaping ([[UInt8]]) -> Void) throws(RuntimeError) -> Bool {
        guard HostLookup.running.compareExchange(expected: 0, desired: 1, ordering: .acquiringAndReleasing).exchanged
        else { return false }
        do throws(RuntimeError) {
            // Detached at once: it ends on its own, owning what it needs.
            _ = try WorkerThread { [self] in
                self.addresses = self.hosts.map { HostLookup.resolve($0) }
                self.done.store(true, ordering: .releasing)
                HostLookup.running.store(0, ordering: .releasing)
            }
        } catch {
            HostLookup.running.store(0, ordering: .releasing)
            throw error
        }
        poll = loop.addTask("host lookup", every: .milliseconds(100), firstDelay: .milliseconds(10)) { [self] in
            guard self.done.load(ordering: .acquiring) else { return }
            self.cancel()
            finished(self.addresses)
        }
        return true
    }

    /// Stops waiting for the answer; the thread finishes on its own and its answer is dropped.
    func cancel() {
        poll?.cancel()
        poll = nil
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
