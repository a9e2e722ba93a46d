import Foundation
import TestSupport
import Testing

/// `restart` execs the same binary in the same process: whatever descriptor is not
/// close-on-exec survives into the new image, and repeats with every restart.
@Suite("switchyard run: restart keeps no descriptor of the previous image", .serialized)
struct RestartDescriptorTests {
    static let restarts = 100

    /// The open descriptors of `pid`.
    private func descriptorCount(_ pid: Int32) -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? -1
    }

    private func occurrences(_ text: String, in log: String) -> Int { log.components(separatedBy: text).count - 1 }

    /// Waits until the log shows `count` starts that each got connected to the broker.
    private func waitForStart(_ gateway: GatewayProcess, _ count: Int) -> Bool {
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            let log = gateway.log
            if occurrences("connected to 127.0.0.1", in: log) >= count
                && occurrences("JSON-RPC listening", in: log) >= count { return true }
            usleep(10_000)
        }
        return false
    }

    @Test("100 restarts over RPC: the same PID, the same number of open descriptors")
    func restartsDoNotLeak() throws {
        let broker = try MosquittoBroker()
        let gateway = try GatewayProcess(broker: broker, extraEnvironment: ["LOG_LEVEL": "info"])
        defer { gateway.process.signal(SIGKILL) }
        let pid = gateway.process.pid
        try #require(waitForStart(gateway, 1), "\(gateway.log)")
        // One restart first: the first image may hold start-up leftovers the later ones never do.
        var counts: [Int] = []
        for round in 1...Self.restarts {
            let rpc = try gateway.rpcClient()
            let reply = try rpc.call("restart")
            #expect(reply["result"] as? String == "restarting")
            try #require(waitForStart(gateway, round + 1), "restart \(round) did not come back: \(gateway.log.suffix(2000))")
            counts.append(descriptorCount(pid))
        }
        #expect(gateway.process.pid == pid && gateway.process.isRunning)
        let first = counts[0], last = counts[counts.count - 1]
        #expect(first > 3, "the count is read from /proc")
        #expect(last <= first + 1, "descriptors after each restart: \(counts)")
    }
}
