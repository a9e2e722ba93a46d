@testable import BLE
import CSupport
import Foundation
import Runtime
import Testing

/// The mgmt packet codec against byte layouts written out from BlueZ's doc/mgmt-api.txt, and
/// the channel's handling of malformed packets over a real SOCK_SEQPACKET socketpair.
@Suite("mgmt codec: commands, events, stored keys, malformed packets")
struct MgmtCodecTests {
    static let device = MgmtAddress(BLEAddress("00:11:22:33:44:55")!, .lePublic)
    static let key = MgmtLongTermKey(device: device, keyType: 0x02, central: 0, encryptionSize: 16, diversifier: 0x1234,
                                     random: [1, 2, 3, 4, 5, 6, 7, 8], value: Array(0x10...0x1F))

    private func bytes(_ hex: String) -> [UInt8] {
        var out: [UInt8] = []
        var text = Substring(hex.replacingOccurrences(of: " ", with: ""))
        while !text.isEmpty {
            out.append(UInt8(text.prefix(2), radix: 16)!)
            text = text.dropFirst(2)
        }
        return out
    }

    @Test("commands: header {opcode, index, length} LE, addr_info with mgmt's address types")
    func commandBytes() {
        #expect(MgmtCommand.pair(Self.device, capability: .noInputNoOutput).packet(index: 0)
            == bytes("1900 0000 0800 554433221100 01 03"))
        let random = MgmtAddress(BLEAddress("C2:76:12:34:56:78")!, .leRandom)
        #expect(MgmtCommand.cancelPair(random).packet(index: 1) == bytes("1a00 0100 0700 7856341276c2 02"))
        #expect(MgmtCommand.unpair(Self.device).packet(index: 0) == bytes("1b00 0000 0800 554433221100 01 01"))
        #expect(MgmtCommand.setIOCapability(.noInputNoOutput).packet(index: 0) == bytes("1800 0000 0100 03"))
        #expect(MgmtCommand.setBondable(true).packet(index: 0) == bytes("0900 0000 0100 01"))
        #expect(MgmtCommand.loadIdentityResolvingKeys([]).packet(index: 0) == bytes("3000 0000 0200 0000"))
        // HCI numbering of adverts (1 random) becomes mgmt's (2 LE random).
        #expect(MgmtAddressType(hci: .random) == .leRandom && MgmtAddressType(hci: .public) == .lePublic)
    }

    @Test("Load Long Term Keys carries 36-byte records that parse back to the same key")
    func longTermKeyRoundTrip() {
        let packet = MgmtCommand.loadLongTermKeys([Self.key, Self.key]).packet(index: 0)
        #expect(packet.count == 6 + 2 + 2 * 36)
        #expect(Array(packet[0..<8]) == bytes("1300 0000 4a00 0200"))
        #expect(Array(packet[8..<20]) == bytes("554433221100 01 02 00 10 3412"))
        let parsed = MgmtLongTermKey(wire: packet[44...])
        #expect(parsed == Self.key)
        let irk = MgmtIdentityResolvingKey(device: Self.device, value: Array(repeating: 0xAB, count: 16))
        #expect(MgmtIdentityResolvingKey(wire: irk.wire[...]) == irk)
        #expect(irk.wire.count == MgmtIdentityResolvingKey.wireSize)
    }

    @Test("events parse: Command Complete/Status, New Long Term Key, New IRK, Device Unpaired, Auth Failed")
    func events() throws {
        func event(_ hex: String) -> MgmtEvent? { MgmtPacket.parse(bytes(hex)[...]).flatMap { MgmtEvent.parse($0) } }
        let complete = try #require(event("0100 0000 0a00 1900 00 554433221100 01"))
        guard case .commandComplete(let opcode, let status, let data) = complete else { Issue.record("\(complete)"); return }
        #expect(opcode == MgmtOpcode.pairDevice && status == .success && MgmtAddress(wire: data) == Self.device)
        #expect(event("0200 0000 0300 1900 0d") == .commandStatus(opcode: 0x19, status: .invalidParameters))
        let ltkEvent = try #require(event("0a00 0000 2500 01" + Self.key.wire.map { String(format: "%02x", $0) }.joined()))
        #expect(ltkEvent == .newLongTermKey(storeHint: true, key: Self.key))
        let irkHex = "000000000000" + "554433221100 02" + String(repeating: "cd", count: 16)
        let irk = try #require(event("1800 0000 1e00 01" + irkHex))
        guard case .newIdentityResolvingKey(true, _, let irkKey) = irk else { Issue.record("\(irk)"); return }
        #expect(irkKey.device == MgmtAddress(BLEAddress("00:11:22:33:44:55")!, .leRandom))
        #expect(event("1600 0000 0700 554433221100 01") == .deviceUnpaired(Self.device))
        #expect(event("1100 0000 0800 554433221100 01 05") == .authenticationFailed(Self.device, status: .authenticationFailed))
        #expect(event("0600 0000 0400 11020000") == .other(code: 0x0006))
        // Index Added: no parameters, the header's index names the adapter that came back.
        #expect(event("0400 0000 0000") == .indexAdded)
        // User Confirmation Request: addr_info, confirm_hint (1: Just Works), le32 value.
        #expect(event("0f00 0000 0c00 554433221100 01 01 00000000") == .userConfirmRequest(Self.device, justWorks: true))
        #expect(event("0f00 0000 0b00 554433221100 01 01 000000") == nil)
        #expect(MgmtStatus(0x13).message.contains("already paired"))
        #expect(MgmtStatus(0x04).message.contains("could not connect"))
    }

    @Test("malformed: wrong length field, short parameters, unknown address type, all rejected")
    func malformed() {
        #expect(MgmtPacket.parse(bytes("0100 0000")[...]) == nil, "shorter than a header")
        #expect(MgmtPacket.parse(bytes("0100 0000 0500 1900 00")[...]) == nil, "length says more than came")
        #expect(MgmtPacket.parse(bytes("0100 0000 0100 1900 00")[...]) == nil, "length says less than came")
        let short = MgmtPacket(code: MgmtEventCode.newLongTermKey, index: 0, parameters: bytes("01 554433221100 01")[...])
        #expect(MgmtEvent.parse(short) == nil)
        let badType = MgmtPacket(code: MgmtEventCode.deviceUnpaired, index: 0, parameters: bytes("554433221100 07")[...])
        #expect(MgmtEvent.parse(badType) == nil)
        let badStatus = MgmtPacket(code: MgmtEventCode.commandStatus, index: 0, parameters: bytes("1900")[...])
        #expect(MgmtEvent.parse(badStatus) == nil)
    }

    @Test("stored keys: the secret record round-trips, and a damaged one is refused without quoting it")
    func storedKeys() throws {
        var keys = BLEPairingKeys()
        keys.add(Self.key)
        keys.add(MgmtIdentityResolvingKey(device: Self.device, value: Array(repeating: 0x5A, count: 16)))
        var central = Self.key
        central.central = 1
        keys.add(central)
        keys.add(Self.key) // replaces, does not duplicate
        #expect(keys.longTermKeys.count == 2 && keys.identityKeys.count == 1)
        let reread = try BLEPairingKeys(text: keys.text)
        #expect(reread == keys || (reread.text == keys.text))
        #expect(reread.isPaired(Self.device.address))
        var removed = reread
        let didRemove = removed.remove(Self.device.address)
        #expect(didRemove)
        #expect(!removed.isPaired(Self.device.address) && removed.text.isEmpty)
        let secret = "ltk.001122334455.01.02.00.10.1234.0102030405060708.deadbeefdeadbeefdeadbeefdeadbeef"
        #expect(throws: BLEError.self) { try BLEPairingKeys(text: secret + ",garbage-" + "deadbeef") }
        do {
            _ = try BLEPairingKeys(text: "nonsense" + String(repeating: "ab", count: 16))
        } catch {
            #expect(!error.description.contains("abab"), "the reason never quotes the value")
        }
    }

    @Test("the channel drops and counts malformed packets, ignores other controllers, delivers the rest")
    func channelCountsMalformed() throws {
        var fds: [Int32] = [-1, -1]
        #expect(socketpair(AF_UNIX, Int32(SOCK_SEQPACKET.rawValue), 0, &fds) == 0)
        defer { close(fds[1]) }
        // As every descriptor of the run loop is.
        _ = fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK)
        let loop = try EventLoop()
        let channel = MgmtChannel(descriptor: OwnedDescriptor(FileDescriptor(fds[0])), index: 0, label: "pair", loop: loop)
        var events: [MgmtEvent] = []
        channel.onEvent = { events.append($0) }
        channel.start()
        func peer(_ hex: String) { let b = bytes(hex); _ = b.withUnsafeBytes { send(fds[1], $0.baseAddress, $0.count, 0) } }
        peer("0100 0000 0900 1900")                                  // length says more than came
        peer("0a00 0000 0300 010203")                                // New LTK far too short
        peer("ffff")                                                  // not even a header
        peer("1600 0300 0700 554433221100 01")                       // Device Unpaired for hci3
        peer("1600 0000 0700 554433221100 01")                       // ours
        #expect(loop.run(timeout: 3) { channel.packetsIn == 5 })
        #expect(channel.malformedPackets == 3)
        #expect(channel.otherControllerEvents == 1)
        #expect(events == [.deviceUnpaired(Self.device)])
        // Commands go out one packet per write.
        #expect(channel.send(MgmtCommand.setBondable(true).packet(index: 0)))
        var buffer = [UInt8](repeating: 0, count: 64)
        #expect(loop.run(timeout: 3) { channel.packetsOut == 1 })
        let count = recv(fds[1], &buffer, buffer.count, Int32(MSG_DONTWAIT))
        #expect(Array(buffer[0..<max(0, count)]) == bytes("0900 0000 0100 01"))
        // The peer going away closes the channel and says so.
        var closedReason: String?
        channel.onClosed = { closedReason = $0 }
        close(fds[1])
        fds[1] = -1
        #expect(loop.run(timeout: 3) { closedReason != nil })
        #expect(!channel.isOpen)
    }
}
