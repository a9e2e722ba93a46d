// modules: Benchlab
// Any READ_SENSORS reply a Benchlab (or line noise) can send. The first byte picks the model
// (bit 0: ORIGINAL or BL2) and firmware (the other bits); the rest is the reply. Decoding
// must never trap; a frame it accepts must be plausible, and its telemetry must print as a
// JSON object that parses back with every key the seed publishes. The vendor-data and UID
// decoders get the same bytes.
import Benchlab
import JSON

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    guard let selector = input.first else { return 0 }
    let model: BenchlabModel = selector & 1 == 0 ? .original : .bl2
    let firmware = selector >> 1
    let reply = Array(input.dropFirst())

    if let frame = try? BenchlabSensorFrame.decode(reply, model: model, firmware: firmware) {
        precondition(reply.count == model.sensorFrameLength(firmware: firmware), "accepted a frame of the wrong length")
        precondition(frame.fanSwitchStatus <= 2, "accepted an impossible fan switch status")
        precondition(frame.fans.allSatisfy { $0.enabled <= 1 && $0.dutyPercent <= 100 }, "accepted impossible fans")
        precondition(frame.power.count == model.powerReadingCount && frame.probeTenths.count == model.probeCount)
        let again = try? BenchlabSensorFrame.decode(reply, model: model, firmware: firmware)
        precondition(again == frame, "decoding is not deterministic")

        let text = BenchlabTelemetry.json(frame, timestampMilliseconds: 1_700_000_000_000).serialized()
        guard case .object(let object)? = try? JSONValue.parse(text) else {
            preconditionFailure("telemetry does not parse back: " + text)
        }
        for key in ["SYS_Power", "CPU_Power", "GPU_Power", "MB_Power", "EPS1_Voltage", "HPWR2_Power", "VIN_0",
                    "VIN_12", "Vdd", "Vref", "Chip_Temp", "Ambient_Temp", "Humidity", "Temp_Sensor_4",
                    "Fan9_Status", "FanExtDuty"] {
            precondition(object[key] != nil, "telemetry lacks " + key)
        }
        precondition(object.keys.last == "timestamp" && object["timestamp"] == .number(1_700_000_000_000))
    }

    if let vendor = try? BenchlabVendorData.decode(Array(reply.prefix(3))) {
        precondition(reply[0] == 0xEE && vendor.model.productID == reply[1] && vendor.firmware == reply[2])
    }
    if let uid = try? BenchlabIdentity.uidText(Array(reply.prefix(12))) {
        precondition(uid.utf8.count == 24, "UID text is not 24 hex digits")
    }
    return 0
}
