// Uplink throughput: publishes N messages through MQTTClient (libmosquitto inside our run
// loop) to a broker and prints messages/s. bench/uplink/compare.sh runs it next to a
// paho-mqtt publisher (the client the seed tools use) on the same broker.
// Usage: bench-uplink PORT COUNT QOS
import Foundation
import Runtime
import Uplink

let arguments = CommandLine.arguments
let port = Int32(arguments[1])!, count = Int(arguments[2])!, qos = Int32(arguments[3])!
LogSettings.level = .warning
let loop = try EventLoop()
var settings = MQTTSettings(host: "127.0.0.1", port: port, clientID: "bench-uplink-\(qos)")
settings.maxInflight = 100
settings.outboxMaxMessages = count + 1
settings.outboxMaxBytes = count * 64
let client = try MQTTClient(name: "bench", settings: settings, loop: loop)
client.start()
while !client.isConnected { try loop.runOnce(maxWait: .milliseconds(10)) }

let payload = Array("{\"seq\":0000000,\"value\":21.5,\"unit\":\"C\"}".utf8)
let start = DispatchTime.now().uptimeNanoseconds
var sent = 0
while sent < count || (qos > 0 && client.stats.acknowledged < count) || (qos == 0 && !client.outbox.isEmpty) {
    // Publish in batches between loop passes, as a service draining a ring would.
    var batch = 0
    while sent < count && batch < 500 && (qos == 0 || client.inflightCount < settings.maxInflight) {
        client.publish("bench/uplink", payload, qos: qos)
        sent += 1
        batch += 1
    }
    try loop.runOnce(maxWait: .milliseconds(qos == 0 && sent < count ? 0 : 5))
}
// QoS 0: done once the socket has nothing left to write.
while qos == 0 && client.hasPendingWrites { try loop.runOnce(maxWait: .milliseconds(5)) }
let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
print(String(format: "%.0f", Double(count) / elapsed))
