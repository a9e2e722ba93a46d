// modules: BLE
// The BTHome replay counter file (<data dir>/ble-bthome-counters.json) as the BLE service
// reads it at start: JSON, then every entry's address and counter range-checked. Nothing may
// trap (huge, negative, fractional and infinite numbers included); what is accepted must hold
// up: the table keeps its bound, every entry is either loaded or refused, and the table writes
// a file that reads back to the same table with nothing refused.
import BLE
import JSON

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard let document = try? JSONValue.parse(UnsafeRawBufferPointer(start: data, count: size)),
          let parsed = BTHomeCounters.parse(document, capacity: 8) else { return 0 }
    precondition(parsed.counters.count <= 8, "the table grew past its bound")
    let members = document["counters"]?.objectValue?.count ?? 0
    precondition(parsed.counters.count + parsed.refused == members, "an entry neither loaded nor refused")
    guard let again = BTHomeCounters.parse(parsed.counters.json, capacity: 8) else {
        preconditionFailure("the table's own file does not parse")
    }
    precondition(again.refused == 0 && again.counters.json == parsed.counters.json, "file round trip")
    return 0
}
