import CSupport
import Runtime

/// SNTP in the run loop: every round resolves `time.servers` (on a thread), asks each once
/// over one UDP socket and believes the first reply that passes `SNTPPacket.parse`. A clock
/// off by more than half a second is stepped (`stepClock`); the first success makes the
/// clock trusted for TLS. Rounds repeat every 2 s doubling to 64 s until then, every
/// `interval` after.
final class TimeSync {
    /// What the state block and the log say about the last success.
    struct Sync: Equatable {
        var server: String
        var stratum: UInt8
        var offsetMicros: Int64
        var delayMicros: Int64
        var atMicros: Int64
    }

    let servers: [TimeServer]
    let interval: Interval
    /// Where the DHCP client leaves the servers its lease named (udhcpc's `ntpsrv`), one
    /// round's extra servers; nil: none.
    let dhcpServersPath: String?
    /// The servers asked in the current round: `servers`, then the lease's.
    private var asked: [TimeServer] = []
    private let loop: EventLoop
    private let log: Logger
    /// Moves the wall clock by the offset (µs); false when the system refused.
    private let stepClock: (Int64) -> Bool
    /// Called on the loop after every success and after the first failure of a round.
    private let changed: () -> Void
    private var socket: OwnedDescriptor?
    private var watch: IOWatch?
    private var lookup: HostLookup?
    private var roundTimer: OneShotTimer?
    private var nextTimer: OneShotTimer?
    /// What the current round sent: the address and port asked, and the transmit time.
    private var pending: [(address: [UInt8], port: UInt16, server: String, sent: Int64)] = []
    private var retryDelay = Interval.seconds(2)
    private(set) var lastSync: Sync?
    private(set) var lastProblem: String?
    /// Replies dropped: malformed, unsynchronised servers, not answering our request.
    private(set) var dropped = 0
    private(set) var rounds = 0

    init(servers: [TimeServer], interval: Interval, dhcpServersPath: String?, loop: EventLoop, log: Logger,
         stepClock: @escaping (Int64) -> Bool, changed: @escaping () -> Void) {
        self.servers = servers
        self.interval = interval
        self.dhcpServersPath = dhcpServersPath
        self.loop = loop
        self.log = log
        self.stepClock = stepClock
        self.changed = changed
    }

    /// Opens the UDP socket and starts the first round now.
    func start() throws(RuntimeError) {
        let socket = try SystemCall.socket(domain: AF_INET, type: Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue),
                                           protocol: 0, name: "socket(udp)")
        self.socket = socket
        watch = loop.watch(socket.fd) { [self] _ in self.receive() }
        beginRound()
    }

    func stop() {
        lookup?.cancel()
        lookup = nil
        roundTimer?.cancel()
        nextTimer?.cancel()
        watch?.cancel()
        watch = nil
        socket = nil
        pending.removeAll()
    }

    private func beginRound() {
        rounds += 1
        asked = servers
        for server in leaseServers() where !asked.contains(server) { asked.append(server) }
        let lookup = HostLookup(hosts: asked.map { $0.host })
        self.lookup = lookup
        do throws(RuntimeError) {
            guard try lookup.start(loop: loop, finished: { [self] addresses in self.send(to: addresses) }) else {
                // An earlier lookup (of a stopped service) still waits for DNS.
                self.lookup = nil
                nextTimer = loop.after(.seconds(1)) { [self] in self.beginRound() }
                return
            }
        } catch {
            finishRound(problem: "cannot start the name lookup: " + error.description)
            return
        }
        // Generous: DNS on a link that just came up, then the replies.
        roundTimer = loop.after(.seconds(15)) { [self] in
            self.finishRound(problem: self.pending.isEmpty ? "no time server could be resolved"
                                                          : "no time server answered")
        }
    }

    private func send(to addresses: [[UInt8]]) {
        lookup = nil
        guard let socket else { return }
        for (server, address) in zip(asked, addresses) where address.count == 4 {
            let sent = WallClock.microsecondsSinceEpoch()
            var target = sockaddr_in()
            target.sin_family = sa_family_t(AF_INET)
            target.sin_port = server.port.bigEndian
            withUnsafeMutableBytes(of: &target.sin_addr) { raw in for index in 0..<4 { raw[index] = address[index] } }
            let request = SNTPPacket.request(transmit: sent)
            let result = request.withUnsafeBytes { bytes in
                withUnsafePointer(to: &target) { pointer in
                    pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        sendto(socket.fd.rawValue, bytes.baseAddress, bytes.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                    }
                }
            }
            if result == SNTPPacket.size {
                pending.append((address, server.port, server.description, sent))
            } else {
                log.debug("sendto " + server.description + ": " + Errno.current.description)
            }
        }
        if pending.isEmpty {
            finishRound(problem: "no time server could be resolved or reached")
        }
    }

    private func receive() {
        guard let socket else { return }
        var buffer = [UInt8](repeating: 0, count: 512)
        while true {
            var from = sockaddr_in()
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let count = buffer.withUnsafeMutableBytes { bytes in
                withUnsafeMutablePointer(to: &from) { pointer in
                    pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        recvfrom(socket.fd.rawValue, bytes.baseAddress, bytes.count, 0, $0, &length)
                    }
                }
            }
            guard count >= 0 else { return }   // EAGAIN: drained (other errors: the next round retries)
            let arrived = WallClock.microsecondsSinceEpoch()
            let address = withUnsafeBytes(of: from.sin_addr) { Array($0) }
            let port = UInt16(bigEndian: from.sin_port)
            guard let index = pending.firstIndex(where: { $0.address == address && $0.port == port }) else {
                dropped += 1
                continue
            }
            let asked = pending[index]
            do throws(NetworkError) {
                let reply = try SNTPPacket.parse(Array(buffer[0..<count]), transmit: asked.sent)
                accept(reply, from: asked.server, sent: asked.sent, arrived: arrived)
                return
            } catch {
                dropped += 1
                log.debug(asked.server + ": " + error.description)
            }
        }
    }

    private func accept(_ reply: SNTPReply, from server: String, sent: Int64, arrived: Int64) {
        let offset = reply.offset(sent: sent, arrived: arrived)
        // Within half a second: leave the clock alone rather than jump it back and forth.
        if offset > 500_000 || offset < -500_000 {
            guard stepClock(offset) else {
                finishRound(problem: "cannot set the clock: " + Errno.current.description)
                return
            }
            log.info("clock stepped by " + String(offset / 1000) + " ms to " + WallClock.iso8601(
                millisecondsSinceEpoch: WallClock.millisecondsSinceEpoch()) + " from " + server)
        }
        let first = lastSync == nil
        lastSync = Sync(server: server, stratum: reply.stratum, offsetMicros: offset,
                        delayMicros: reply.delay(sent: sent, arrived: arrived), atMicros: WallClock.microsecondsSinceEpoch())
        lastProblem = nil
        if first { log.info("clock synchronised with " + server + " (stratum " + String(reply.stratum) + ")") }
        // Only the service that closed the gate (time.tls_waits) opens it.
        if ClockTrust.state == .waiting { ClockTrust.set(.synchronised) }
        pending.removeAll()
        roundTimer?.cancel()
        retryDelay = .seconds(2)
        nextTimer = loop.after(interval) { [self] in self.beginRound() }
        changed()
    }

    private func finishRound(problem: String) {
        pending.removeAll()
        roundTimer?.cancel()
        lookup?.cancel()
        lookup = nil
        let delay = lastSync == nil ? retryDelay : interval
        if lastSync == nil { retryDelay = min(retryDelay * 2, .seconds(64)) }
        if lastProblem != problem {
            log.warning("time sync: " + problem + "; trying again in " + String(delay.milliseconds / 1000) + " s")
            lastProblem = problem
            changed()
        }
        nextTimer = loop.after(delay) { [self] in self.beginRound() }
    }

    /// The servers the last DHCP lease named (space-separated in the file), at most four.
    private func leaseServers() -> [TimeServer] {
        guard let path = dhcpServersPath else { return [] }
        let bytes: [UInt8]?
        do throws(RuntimeError) { bytes = try FileSystem.read(path, limit: 1024) } catch { return [] }
        guard let bytes else { return [] }
        var found: [TimeServer] = []
        for word in String(decoding: bytes, as: UTF8.self).split(whereSeparator: { $0 == " " || $0 == "\n" }) {
            do throws(NetworkError) { found.append(try TimeServer(String(word))) } catch { continue }
            if found.count == 4 { break }
        }
        return found
    }

    /// Steps the system's wall clock by `offset` microseconds (`clock_settime`).
    static func stepSystemClock(by offset: Int64) -> Bool {
        let target = WallClock.microsecondsSinceEpoch() + offset
        var spec = timespec()
        spec.tv_sec = time_t(target / 1_000_000)
        spec.tv_nsec = Int(target % 1_000_000) * 1000
        return clock_settime(CLOCK_REALTIME, &spec) == 0
    }
}
