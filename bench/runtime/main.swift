// Runtime benchmarks: the SPSC ring against a mutex-protected queue, and the run loop's
// cost per fixed-rate task run against calling the same closure directly. Printed, never
// asserted: numbers depend on the machine, ratios much less.
import Foundation
import Runtime

func seconds(_ body: () -> Void) -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

/// Baseline: the obvious alternative, a bounded array queue behind a mutex (which is what
/// makes sharing it between the two threads safe, hence `@unchecked Sendable`).
final class LockedQueue: @unchecked Sendable {
    private var items: [Int] = []
    private var head = 0
    private let capacity: Int
    private let lock = NSLock()
    init(capacity: Int) { self.capacity = capacity; items.reserveCapacity(capacity) }
    func push(_ item: Int) -> Bool {
        lock.lock(); defer { lock.unlock() }
        if items.count - head >= capacity { return false }
        items.append(item)
        return true
    }
    func pop() -> Int? {
        lock.lock(); defer { lock.unlock() }
        guard head < items.count else { return nil }
        let item = items[head]
        head += 1
        if head > 65_536 { items.removeFirst(head); head = 0 }
        return item
    }
}

let count = 20_000_000
let ring = try SPSCRing<Int>(capacity: 4096)
var checksum = 0
let ringTime = seconds {
    let producer = try! WorkerThread { var i = 0; while i < count { if ring.tryPush(i) { i += 1 } } }
    var received = 0
    while received < count { if let item = ring.pop() { checksum &+= item; received += 1 } }
    producer.join()
}
let locked = LockedQueue(capacity: 4096)
let lockedTime = seconds {
    let producer = try! WorkerThread { var i = 0; while i < count { if locked.push(i) { i += 1 } } }
    var received = 0
    while received < count { if let item = locked.pop() { checksum &+= item; received += 1 } }
    producer.join()
}
let ringRate = Double(count) / ringTime, lockedRate = Double(count) / lockedTime
print("ring:     SPSC ring \(Int(ringRate)) items/s across two threads; mutex queue \(Int(lockedRate)) items/s; "
    + "ratio \(String(format: "%.1f", ringRate / lockedRate))x")

// Run-loop dispatch: 1,000 tasks due at once under a test clock, 200 rounds.
let clock = TestClock()
let loop = try EventLoop(clock: clock)
var calls = 0
let body: () -> Void = { calls &+= 1 }
for index in 0..<1_000 { loop.addTask("t\(index)", every: .milliseconds(10), body) }
let rounds = 200
let loopTime = seconds {
    for _ in 0..<rounds { clock.advance(by: .milliseconds(10)); loop.dispatchDue() }
}
@inline(never) func callOpaque(_ closure: () -> Void) { closure() }
let directTime = seconds { for _ in 0..<(rounds * 1_000) { callOpaque(body) } }
let perRun = loopTime / Double(rounds * 1_000) * 1e9
let perCall = directTime / Double(rounds * 1_000) * 1e9
print("runloop:  \(String(format: "%.0f", perRun)) ns per fixed-rate task run (1,000 tasks); direct call "
    + "\(String(format: "%.1f", perCall)) ns; overhead ratio \(String(format: "%.0f", perRun / max(perCall, 0.1)))x")
if calls != rounds * 1_000 * 2 || checksum == 42 { print("runloop:  unexpected call count \(calls)") }

// One loop pass with one descriptor ready among 12 watched (about what a gateway with a few
// services polls), against the same poll(2) and read in a bare loop: what the loop adds per
// wake-up. CAN at 9k frames/s wakes the loop about once per frame. This is the host build:
// its dynamic exclusivity checks (swift_beginAccess) are part of what it adds; the Embedded
// firmware has none.
var pipes: [(read: Int32, write: Int32)] = []
for _ in 0..<12 {
    var ends: [Int32] = [0, 0]
    guard pipe(&ends) == 0 else { fatalError("pipe") }
    pipes.append((ends[0], ends[1]))
}
let passes = 300_000
var byte: UInt8 = 1
var drained = 0
let passLoop = try EventLoop()
for ends in pipes {
    passLoop.watch(FileDescriptor(ends.read)) { _ in
        var sink: UInt8 = 0
        if read(ends.read, &sink, 1) == 1 { drained += 1 }
    }
}
// A periodic task and a pending timer, as the gateway always has (keepalive, state).
passLoop.addTask("state", every: .seconds(30)) {}
passLoop.after(.seconds(3600)) {}
let passTime = seconds {
    for _ in 0..<passes {
        _ = write(pipes[5].write, &byte, 1)
        try! passLoop.runOnce(maxWait: .zero)
    }
}
var rawFDs = pipes.map { pollfd(fd: $0.read, events: Int16(POLLIN), revents: 0) }
let rawTime = seconds {
    for _ in 0..<passes {
        _ = write(pipes[5].write, &byte, 1)
        _ = poll(&rawFDs, nfds_t(rawFDs.count), 0)
        for index in rawFDs.indices where rawFDs[index].revents != 0 {
            var sink: UInt8 = 0
            if read(rawFDs[index].fd, &sink, 1) == 1 { drained += 1 }
        }
    }
}
let perPass = passTime / Double(passes) * 1e9, perRaw = rawTime / Double(passes) * 1e9
print("loop pass: \(String(format: "%.0f", perPass)) ns per wake-up with 12 descriptors (one ready); bare poll+read "
    + "\(String(format: "%.0f", perRaw)) ns; the loop adds \(String(format: "%.0f", perPass - perRaw)) ns "
    + "(ratio \(String(format: "%.2f", perPass / perRaw))x)")
if drained != passes * 2 { print("loop pass: drained \(drained), expected \(passes * 2)") }
