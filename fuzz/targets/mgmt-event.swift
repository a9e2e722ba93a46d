// modules: BLE
// Packets from the kernel's mgmt channel (or whatever sits on ble.mgmt_socket): the header
// check, then every event parser. Nothing may trap; what is accepted must hold up: the packet
// re-encodes to the same bytes, keys re-encode to records that parse back to the same key.
import BLE

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let packet = MgmtPacket.parse(bytes[...]) else { return 0 }
    precondition(packet.bytes == bytes, "an accepted packet re-encodes to its bytes")
    guard let event = MgmtEvent.parse(packet) else { return 0 }
    switch event {
    case .newLongTermKey(_, let key):
        precondition(MgmtLongTermKey(wire: key.wire[...]) == key, "LTK record round trip")
    case .newIdentityResolvingKey(_, _, let key):
        precondition(MgmtIdentityResolvingKey(wire: key.wire[...]) == key, "IRK record round trip")
    case .deviceUnpaired(let device), .authenticationFailed(let device, _), .userConfirmRequest(let device, _):
        precondition(MgmtAddress(wire: device.wire[...]) == device, "addr_info round trip")
    case .commandComplete(_, let status, _), .commandStatus(_, let status):
        precondition(!status.message.isEmpty, "every status has a message")
    case .indexAdded, .other:
        break
    }
    return 0
}
