// BLE pipeline benchmark: adverts/s through H4 framing, HCI event parse, AD parse and
// decode (stage 1), then the whole service path with per-device JSON publishing to a real
// broker (stage 2, when a broker port is given); RSS with 5,000 distinct devices in the
// registry. Printed, never asserted. bench/ble/run.sh adds the Python baseline's ratio.
import BLE
import CSupport
import Foundation
import JSON
import Runtime
import ServiceKit
import Store
import Uplink

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

func residentKiB() -> Int {
    let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
    for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
        return Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
    }
    return 0
}

/// One legacy advertising report event (H4) carrying advertising data `ad` from device `n`.
func advertEvent(_ n: Int, _ ad: [UInt8]) -> [UInt8] {
    var report: [UInt8] = [0x00, 0x00]
    report += [UInt8(n & 0xFF), UInt8((n >> 8) & 0xFF), UInt8((n >> 16) & 0xFF), 0x38, 0xC1, 0xA4]
    report += [UInt8(ad.count)] + ad + [0xC4]
    let params: [UInt8] = [0x02, 0x01] + report
    return [0x04, 0x3E, UInt8(params.count)] + params
}

/// The reference BTHome advert (25.00 degC, 50.55 %).
let referenceAD: [UInt8] = [0x02, 0x01, 0x06, 0x0A, 0x16, 0xD2, 0xFC, 0x40, 0x02, 0xC4, 0x09, 0x03, 0xBF, 0x13]

/// The mixed corpus: every advert of Tests/BLETests/Resources/ble-corpus.tsv that some decoder
/// turns into a reading (every BTHome object id, v1, MiBeacon, Qingping and each family).
func mixedADs() -> [[UInt8]] {
    let text = (try? String(contentsOfFile: "Tests/BLETests/Resources/ble-corpus.tsv", encoding: .utf8)) ?? ""
    var ads: [[UInt8]] = []
    for line in text.split(separator: "\n") where !line.hasPrefix("#") {
        let columns = line.split(separator: "\t", omittingEmptySubsequences: false)
        guard columns.count == 4, columns[3].contains("format:"), columns[2].count <= 62 else { continue }
        var bytes: [UInt8] = []
        var hex = Substring(columns[2])
        while hex.count >= 2 { bytes.append(UInt8(hex.prefix(2), radix: 16)!); hex = hex.dropFirst(2) }
        ads.append(bytes)
    }
    return ads.isEmpty ? [referenceAD] : ads
}

let adverts = Int(ProcessInfo.processInfo.environment["BLE_BENCH_ADVERTS"] ?? "") ?? 1_000_000
let distinct = 5_000
let mixed = mixedADs()
var stream: [UInt8] = []
for index in 0..<distinct { stream += advertEvent(index, mixed[index % mixed.count]) }
let oneRound = stream
var referenceStream: [UInt8] = []
for index in 0..<distinct { referenceStream += advertEvent(index, referenceAD) }

/// Stage 1: framing, event, reports, AD, decode, over `rounds` passes of `round`; adverts decoded and seconds.
func decodeStage(_ round: [UInt8], rounds: Int) -> (decoded: Int, seconds: Double) {
    var decoded = 0
    let time = seconds {
        var reassembler = H4Reassembler()
        for _ in 0..<rounds {
            round.withUnsafeBytes { bytes in
                var offset = 0
                while offset < bytes.count {
                    let chunk = min(4096, bytes.count - offset)
                    reassembler.feed(UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + chunk)])) { packet in
                        guard case .leMeta(_, let params)? = HCIEvent.parse(packet) else { return }
                        _ = HCIAdvertisingReport.forEachLegacy(params) { report in
                            guard let data = AdvertisingData.parse(report.data) else { return }
                            let result = SensorDecoder.decode(data, address: report.address, key: benchKey, lastCounter: nil, bindkey: benchKey)
                            if result.reading != nil || result.failure != nil { decoded += 1 }
                        }
                    }
                    offset += chunk
                }
            }
        }
    }
    return (decoded, time)
}

/// A key for every device, so encrypted adverts of the corpus run AES-CCM (and fail the MIC: other senders).
let benchKey: [UInt8] = Array(repeating: 0x23, count: 16)
let rounds = max(1, adverts / distinct)
var stage1 = 0.0
for (label, round) in [("mixed corpus, \(mixed.count) adverts of every format", oneRound), ("reference BTHome advert", referenceStream)] {
    let (decoded, decodeTime) = decodeStage(round, rounds: rounds)
    if round == oneRound { stage1 = Double(decoded) / decodeTime }
    print("stage 1 (H4 + HCI event + AD + decode), \(label): \(decoded) adverts in \(String(format: "%.3f", decodeTime)) s = "
          + "\(Int(Double(decoded) / decodeTime)) adverts/s, \(String(format: "%.0f", decodeTime / Double(decoded) * 1e9)) ns/advert")
}

// Stage 2: the service over a socketpair speaking H4, publishing JSON per device.
let brokerPort = Int32(ProcessInfo.processInfo.environment["BLE_BENCH_BROKER_PORT"] ?? "") ?? 0
var pair: [Int32] = [-1, -1]
precondition(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &pair) == 0)
let gatewayEnd = FileDescriptor(pair[0]), controllerEnd = FileDescriptor(pair[1])
try gatewayEnd.setNonBlocking()
var bufferSize: Int32 = 4 << 20
setsockopt(pair[1], SOL_SOCKET, SO_SNDBUF, &bufferSize, 4)
setsockopt(pair[0], SOL_SOCKET, SO_RCVBUF, &bufferSize, 4)

let loop = try EventLoop()
@MainActor func runUntil(timeout: Double, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while !condition() && Date() < deadline { try? loop.runOnce(maxWait: .milliseconds(10)) }
    return condition()
}
var schema = ConfigSchema.standard
schema.register(BLEService.descriptor.keys + BLEService.descriptor.storedKeys)
let store = ConfigStore(schema: schema, dataDirectory: "/nonexistent", environment: { _ in nil })
let client = try MQTTClient(name: "uplink", settings: MQTTSettings(host: "127.0.0.1", port: brokerPort == 0 ? 1 : brokerPort,
                                                                   clientID: "ble-bench"), loop: loop)
if brokerPort != 0 {
    client.start()
    _ = runUntil(timeout: 5) { client.isConnected }
}
let context = ServiceContext(name: "ble", store: store, loop: loop, port: client, node: "bench",
                             topicPrefix: "switchyard/bench", isEnabled: true)
var settings = BLESettings()
let publishSeconds = Int64(ProcessInfo.processInfo.environment["BLE_BENCH_PUBLISH_S"] ?? "") ?? 0
settings.publishInterval = .seconds(publishSeconds)
settings.maxDevices = distinct * 2
let idleRSS = residentKiB()
let service = BLEService(settings: settings, context: context) { _ throws(BLEError) in
    HCITransport.adopt(OwnedDescriptor(gatewayEnd), label: "bench socketpair")
}
try service.start()
// Answer the start sequence like a controller: Command Complete, status 0, per command.
func answerCommands() {
    var buffer = [UInt8](repeating: 0, count: 256)
    let count = buffer.withUnsafeMutableBytes { recv(controllerEnd.rawValue, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
    guard count > 0 else { return }
    var index = 0
    while index + 4 <= count, buffer[index] == 0x01 {
        let reply: [UInt8] = [0x04, 0x0E, 0x04, 0x01, buffer[index + 1], buffer[index + 2], 0x00]
        _ = reply.withUnsafeBytes { send(controllerEnd.rawValue, $0.baseAddress, $0.count, 0) }
        index += 4 + Int(buffer[index + 3])
    }
}
_ = runUntil(timeout: 5) { answerCommands(); return service.scanner?.state == .scanning }

let serviceRounds = max(1, rounds / 4)
let before = service.scanner?.stats.reports ?? 0
let usageBefore = ProcessInfo.processInfo.systemUptime
var cpuBefore = rusage()
getrusage(Int32(RUSAGE_SELF.rawValue), &cpuBefore)
let serviceTime = try seconds {
    var written = 0
    let total = oneRound.count * serviceRounds
    while written < total || (service.scanner?.stats.reports ?? 0) - before < distinct * serviceRounds {
        if written < total {
            let offset = written % oneRound.count
            let chunk = min(16384, oneRound.count - offset)
            let sent = oneRound.withUnsafeBytes { send(controllerEnd.rawValue, $0.baseAddress! + offset, chunk, Int32(MSG_DONTWAIT)) }
            if sent > 0 { written += sent }
        }
        try loop.runOnce(maxWait: .zero)
    }
}
var cpuAfter = rusage()
getrusage(Int32(RUSAGE_SELF.rawValue), &cpuAfter)
_ = usageBefore
let delivered = (service.scanner?.stats.reports ?? 0) - before
let cpu = Double(cpuAfter.ru_utime.tv_sec - cpuBefore.ru_utime.tv_sec + cpuAfter.ru_stime.tv_sec - cpuBefore.ru_stime.tv_sec)
    + Double(cpuAfter.ru_utime.tv_usec - cpuBefore.ru_utime.tv_usec + cpuAfter.ru_stime.tv_usec - cpuBefore.ru_stime.tv_usec) / 1e6
let stage2 = Double(delivered) / serviceTime
print("stage 2, publish_interval_s \(publishSeconds) (service: socketpair H4 -> registry -> JSON -> MQTT \(brokerPort == 0 ? "(no broker: publishes dropped)" : "broker :\(brokerPort)")): "
      + "\(delivered) adverts in \(String(format: "%.3f", serviceTime)) s = \(Int(stage2)) adverts/s, "
      + "\(String(format: "%.2f", cpu / Double(delivered) * 1e6)) us CPU/advert; published \(service.stats.published), "
      + "dropped by the port \(service.stats.publishDropped), rate-limited \(service.stats.rateLimited)")
print("registry: \(service.registry.count) devices; RSS \(residentKiB() - idleRSS) KiB above the idle service "
      + "(\(String(format: "%.0f", Double(residentKiB() - idleRSS) * 1024 / Double(max(1, service.registry.count)))) bytes/device)")
print("ratio stage1/stage2: \(String(format: "%.1f", stage1 / max(stage2, 1)))")
service.stop()
