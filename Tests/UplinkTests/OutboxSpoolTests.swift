import Contracts
import Foundation
import Runtime
import TestSupport
import Testing
@testable import Uplink

@Suite("Outbox spool", .serialized)
struct OutboxSpoolTests {
    private let messages = [
        MQTTMessage(topic: "switchyard/gw/status", payload: Array("offline".utf8), qos: 1, retain: true),
        MQTTMessage(topic: "a/ü/🚗 with space/#", payload: (0...255).map { UInt8($0) }, qos: 2, retain: false),
        MQTTMessage(topic: "/", payload: [], qos: 1, retain: false),
        MQTTMessage(topic: "x", payload: [0, 0, 0xFF, 0x0A, 0x0D], qos: 1, retain: true),
    ]

    private func queue(_ messages: [MQTTMessage], maxMessages: Int = 100, maxBytes: Int = 100_000) -> OutboxQueue {
        var queue = OutboxQueue(maxMessages: maxMessages, maxBytes: maxBytes)
        for message in messages { queue.append(message) }
        return queue
    }

    private func drain(_ queue: OutboxQueue) -> [MQTTMessage] {
        var rest = queue
        var result: [MQTTMessage] = []
        while let message = rest.removeFirst() { result.append(message) }
        return result
    }

    @Test("messages with binary payloads and odd topics come back in order, and the file is deleted")
    func roundTrip() throws {
        let directory = TemporaryDirectory(prefix: "spool")
        let path = directory.file("outbox.spool")
        try OutboxSpool.save(queue(messages), to: path)
        #expect(FileManager.default.fileExists(atPath: path))
        #expect(!FileManager.default.fileExists(atPath: path + ".tmp"))
        var loaded = OutboxQueue(maxMessages: 100, maxBytes: 100_000)
        #expect(OutboxSpool.load(path, into: &loaded) == .loaded(messages.count))
        #expect(drain(loaded) == messages)
        #expect(!FileManager.default.fileExists(atPath: path), "a loaded spool is delivered once")
        #expect(OutboxSpool.load(path, into: &loaded) == .none)
    }

    @Test("an empty outbox round-trips to an empty one")
    func emptyRoundTrip() {
        let bytes = OutboxSpool.encode(OutboxQueue(maxMessages: 1, maxBytes: 10))
        #expect((try? OutboxSpool.decode(bytes).get()) == [])
    }

    @Test("a corrupt spool is logged once, renamed to .bad and ignored")
    func corruptIgnored() throws {
        let directory = TemporaryDirectory(prefix: "spool")
        let path = directory.file("outbox.spool")
        try OutboxSpool.save(queue(messages), to: path)
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        bytes[40] ^= 0x5A // inside the first message's payload: only the checksum notices
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        var loaded = OutboxQueue(maxMessages: 100, maxBytes: 100_000)
        let (result, lines) = LogCapture.lines { OutboxSpool.load(path, into: &loaded) }
        #expect(result == .rejected("checksum mismatch"))
        #expect(loaded.isEmpty)
        let reports = lines.filter { $0.contains("outbox spool") }
        #expect(reports.count == 1, "\(lines)")
        #expect(reports.first?.contains("WARNING") == true && reports.first?.contains("checksum mismatch") == true)
        #expect(!FileManager.default.fileExists(atPath: path))
        #expect(FileManager.default.fileExists(atPath: path + ".bad"))
    }

    @Test("a truncated spool is ignored at every cut, and garbage is not a spool")
    func truncatedIgnored() throws {
        let full = OutboxSpool.encode(queue(messages))
        for length in 0..<full.count {
            if case .success = OutboxSpool.decode(Array(full[0..<length])) {
                Issue.record("a spool cut to \(length) of \(full.count) bytes was accepted")
            }
        }
        let directory = TemporaryDirectory(prefix: "spool")
        let path = directory.file("outbox.spool")
        try Data(full[0..<(full.count / 2)]).write(to: URL(fileURLWithPath: path))
        var loaded = OutboxQueue(maxMessages: 100, maxBytes: 100_000)
        let (result, lines) = LogCapture.lines { OutboxSpool.load(path, into: &loaded) }
        #expect(result == .rejected("truncated"))
        #expect(loaded.isEmpty)
        #expect(lines.filter { $0.contains("outbox spool") && $0.contains("truncated") }.count == 1, "\(lines)")
        #expect(FileManager.default.fileExists(atPath: path + ".bad"))

        try Data("not a spool at all, just text".utf8).write(to: URL(fileURLWithPath: path))
        #expect(OutboxSpool.load(path, into: &loaded) == .rejected("not a spool file"))
    }

    @Test("loading applies the outbox bounds: the oldest messages are dropped and counted")
    func boundsOnLoad() throws {
        let many = (0..<10).map {
            MQTTMessage(topic: "t/\($0)", payload: [UInt8](repeating: UInt8($0), count: 10), qos: 1, retain: false)
        }
        let directory = TemporaryDirectory(prefix: "spool")
        let path = directory.file("outbox.spool")
        try OutboxSpool.save(queue(many), to: path)
        var small = OutboxQueue(maxMessages: 4, maxBytes: 100_000)
        #expect(OutboxSpool.load(path, into: &small) == .loaded(10))
        #expect(drain(small) == Array(many[6...]))
        #expect(small.dropped == 6)

        try OutboxSpool.save(queue(many), to: path)
        var fewBytes = OutboxQueue(maxMessages: 100, maxBytes: 40) // 13 bytes a message
        #expect(OutboxSpool.load(path, into: &fewBytes) == .loaded(10))
        #expect(drain(fewBytes) == Array(many[7...]))
        #expect(fewBytes.dropped == 7)
    }

    @Test("a client with a spool path loads it at init and saves what is left when stopped offline")
    func clientSpoolsAcrossRestart() throws {
        let directory = TemporaryDirectory(prefix: "spool")
        let path = directory.file("outbox.spool")
        var settings = MQTTSettings(host: "127.0.0.1", port: Int32(FreePort.next()), clientID: "spool-test")
        settings.spoolPath = path
        let loop = try EventLoop()
        let first = try MQTTClient(name: "spool-test", settings: settings, loop: loop)
        #expect(first.publish("a/b", [1, 2, 3], qos: 1) == .queued)
        #expect(first.publish("a/c", text: "two", qos: 2, retain: true) == .queued)
        var stopped = false
        first.stop { stopped = true }
        #expect(stopped)
        #expect(FileManager.default.fileExists(atPath: path))

        let second = try MQTTClient(name: "spool-test", settings: settings, loop: loop)
        #expect(drain(second.outbox) == [
            MQTTMessage(topic: "a/b", payload: [1, 2, 3], qos: 1, retain: false),
            MQTTMessage(topic: "a/c", payload: Array("two".utf8), qos: 2, retain: true),
        ])
        #expect(!FileManager.default.fileExists(atPath: path))
    }
}
