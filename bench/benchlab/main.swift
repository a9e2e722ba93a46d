// modules: Benchlab Uplink Store ServiceKit
// Benchlab polling cost: runs BenchlabService in-process against simulated devices and a
// local broker, polling every device at a fixed rate, and prints CPU time per poll (user +
// system, the whole path: request, reply, decode, JSON, publish), the devices one core could
// poll at 10 Hz at that cost, and resident memory. bench/benchlab/run.sh builds and runs it.
// Usage: bench-benchlab BROKER_PORT SECONDS POLL_MS PORT...
import Benchlab
import Foundation
import Runtime
import ServiceKit
import Store
import Uplink

let arguments = CommandLine.arguments
guard arguments.count >= 5, let brokerPort = Int32(arguments[1]), let seconds = Double(arguments[2]),
      let pollMilliseconds = Int64(arguments[3]) else {
    print("usage: bench-benchlab BROKER_PORT SECONDS POLL_MS PORT...")
    exit(2)
}
let ports = Array(arguments[4...])
LogSettings.level = .warning

func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(Int32(RUSAGE_SELF.rawValue), &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
        + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}

func residentKiB() -> Int {
    let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
    for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
        return Int(line.split(separator: " ", omittingEmptySubsequences: true)[1]) ?? 0
    }
    return 0
}

func run(_ loop: EventLoop, for interval: Double, until done: () -> Bool = { false }) {
    let deadline = Date().addingTimeInterval(interval)
    while Date() < deadline && !done() { try? loop.runOnce(maxWait: .milliseconds(50)) }
}

let loop = try EventLoop()
let uplink = try MQTTClient(name: "uplink",
                            settings: MQTTSettings(host: "127.0.0.1", port: brokerPort, clientID: "bench-benchlab"),
                            loop: loop)
uplink.start()
run(loop, for: 5) { uplink.isConnected }

// Baseline: the loop with the uplink connected and nothing to poll.
let idleStart = cpuSeconds()
run(loop, for: 2)
let idlePerSecond = (cpuSeconds() - idleStart) / 2

var settings = BenchlabSettings()
settings.explicitPorts = ports
settings.discoverByUSB = false
settings.pollInterval = .milliseconds(pollMilliseconds)
settings.replyTimeout = .milliseconds(max(50, pollMilliseconds - 10))
var schema = ConfigSchema.standard
schema.register(BenchlabConfigKeys.all)
let store = ConfigStore(schema: schema, dataDirectory: "/nonexistent", environment: { _ in nil })
let context = ServiceContext(name: "benchlab", store: store, loop: loop, port: uplink, node: "bench",
                             topicPrefix: "switchyard/bench", isEnabled: true)
let service = BenchlabService(settings: settings, context: context)
try service.start()
func published() -> Int { service.devices.reduce(0) { $0 + $1.stats.published } }
run(loop, for: 15) { service.devices.count == ports.count && service.devices.allSatisfy { $0.stats.published >= 3 } }
guard service.devices.allSatisfy({ $0.state == BenchlabDevice.State.polling }) else {
    print("benchlab: not every device is polling: " + service.devices.map { $0.path + " " + $0.state.name }.joined(separator: ", "))
    exit(1)
}

let startCPU = cpuSeconds(), startPublished = published(), startWall = Date()
run(loop, for: seconds)
let cpu = cpuSeconds() - startCPU
let wall = Date().timeIntervalSince(startWall)
let polls = published() - startPublished
let failures = service.devices.reduce(0) { $0 + $1.stats.timeouts + $1.stats.shortReplies + $1.stats.malformedFrames }
let skipped = service.devices.reduce(0) { $0 + $1.stats.skippedPolls }
let perPoll = (cpu - idlePerSecond * wall) / Double(max(polls, 1))
let rateHz = 1000 / Double(pollMilliseconds)
print(String(format: "%d devices at %.0f Hz for %.0f s: %d polls published (%.1f/s), %d failed, %d skipped",
             ports.count, rateHz, wall, polls, Double(polls) / wall, failures, skipped))
print(String(format: "CPU per poll: %.1f us (%.1f us with the idle loop's share; idle loop %.2f ms CPU/s)",
             perPoll * 1e6, cpu / Double(max(polls, 1)) * 1e6, idlePerSecond * 1e3))
print(String(format: "one core polls about %.0f devices at 10 Hz at that cost", 1 / (perPoll * 10)))
print("RSS with \(ports.count) devices: \(residentKiB()) KiB (host build, -O)")
service.stop()

// The share of a poll that is pure computation: decoding a frame, and building and printing
// its telemetry JSON, without any I/O.
var frameBytes = [UInt8](repeating: 0, count: 216)
for index in 0..<216 where index < 44 || (index >= 48 && index < 180) { frameBytes[index] = UInt8(index & 0x3F) }
let repetitions = 20_000
var decodeCPU = cpuSeconds()
var frame: BenchlabSensorFrame? = nil
for _ in 0..<repetitions { frame = try BenchlabSensorFrame.decode(frameBytes, model: .original, firmware: 5) }
decodeCPU = cpuSeconds() - decodeCPU
var jsonCPU = cpuSeconds()
var length = 0
for _ in 0..<repetitions { length += BenchlabTelemetry.json(frame!, timestampMilliseconds: 1_700_000_000_000).serialized().utf8.count }
jsonCPU = cpuSeconds() - jsonCPU
print(String(format: "of which computation: decode %.1f us, telemetry JSON build + print %.1f us (%d bytes)",
             decodeCPU / Double(repetitions) * 1e6, jsonCPU / Double(repetitions) * 1e6, length / repetitions))
