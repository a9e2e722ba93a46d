// modules: BLE
// Bytes from an HCI controller (an H4 stream or raw-socket packets): split into packets,
// parsed as events, advertising reports handed to the AD parser and every decoder, with a
// BTHome key so the AES-CCM path runs too, and each decoded value turned into its event name
// and IoT text. Nothing may trap (extreme values included); what is accepted must hold up:
// a report's data lies inside its event, the reassembler drops no more than it was given
// and keeps its bound, a decoded reading has values.
import BLE

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let key: [UInt8] = [0x23, 0x1d, 0x39, 0xc1, 0xd7, 0xcc, 0x1a, 0xb1, 0xae, 0xe2, 0x24, 0xcd, 0x09, 0x6d, 0xb9, 0x32]
    // The same bytes as one socket read: framed alike, and nothing may carry over.
    var socket = H4Reassembler(source: .packets)
    socket.feed(UnsafeRawBufferPointer(start: data, count: size)) { packet in precondition(HCIEvent.parse(packet) != nil) }
    precondition(socket.pendingCount == 0, "a socket read carried over")
    var reassembler = H4Reassembler()
    reassembler.feed(UnsafeRawBufferPointer(start: data, count: size)) { packet in
        guard let event = HCIEvent.parse(packet) else { return }
        guard case .leMeta(let subevent, let parameters) = event else { return }
        let visit: (HCIAdvertisingReport) -> Void = { report in
            precondition(report.data.startIndex >= parameters.startIndex && report.data.endIndex <= parameters.endIndex,
                         "report data outside its event")
            guard let advert = AdvertisingData.parse(report.data) else { return }
            _ = PassiveServiceData.samples(advert, iotDeviceID: "x", timestamp: 0)
            let result = SensorDecoder.decode(advert, address: report.address, key: key, lastCounter: 5)
            if let reading = result.reading {
                precondition(result.failure == nil, "a reading and a failure at once")
                for measurement in reading.measurements {
                    _ = measurement.eventName
                    _ = IoTDataModel.sample(quantity: measurement.kind.key, value: measurement.value, iotDeviceID: "x", timestamp: 0)
                }
                if reading.format == .bthomeEncrypted { precondition(result.counter.map { $0 > 5 } == true, "replay accepted") }
            }
        }
        if subevent == 0x02 { _ = HCIAdvertisingReport.forEachLegacy(parameters, visit) }
        if subevent == 0x0D { _ = HCIAdvertisingReport.forEachExtended(parameters, visit) }
    }
    precondition(reassembler.pendingCount <= H4Reassembler.capacity, "reassembler grew past its bound")
    precondition(reassembler.resyncBytes + reassembler.pendingCount <= size, "dropped more than it was given")
    return 0
}
