import Crypto
import JSON
import Runtime

/// The JSON published for a device on `switchyard/<node>/ble/<MAC>` and listed by `bcms list`.
enum BLEDeviceJSON {
    /// The reading and what was heard: id, name, RSSI, address type, format and values; for a
    /// device no decoder knows, its manufacturer and service data as hex.
    static func reading(_ device: BLEDevice, iotDeviceID: String?) -> JSONValue {
        var object = JSONObject(minimumCapacity: 12)
        object.append("id", .string(device.address.text))
        if let name = device.name { object.append("name", .string(name)) }
        object.append("rssi", .int(Int(device.rssi)))
        object.append("addr_type", .string(device.addressType.name))
        if let txPower = device.txPower { object.append("tx_power", .int(Int(txPower))) }
        if let iotDeviceID { object.append("iot_device_id", .string(iotDeviceID)) }
        if let reading = device.reading {
            object.append("format", .string(reading.format.name))
            // Repeats of a quantity get `_2`, `_3`, ... (SensorReading.keys), never a duplicate key.
            let keys = reading.keys
            for (index, measurement) in reading.measurements.enumerated() {
                if let text = measurement.textValue {
                    object.append(keys[index], .string(text))
                } else {
                    object.append(keys[index], .number(measurement.value))
                }
            }
            if let undecoded = reading.undecoded { object.append("undecoded", .string(Hex.encode(undecoded))) }
        } else if let data = AdvertisingData.parse(device.lastData[...]) {
            appendRaw(data, to: &object)
        }
        return .object(object)
    }

    /// `reading(device, iotDeviceID:)` written into `writer` (emptied first): the same bytes
    /// as `.serialized()` of it, without the tree, the cJSON copy and the String per advert.
    static func write(_ device: BLEDevice, iotDeviceID: String?, into writer: inout JSONWriter) {
        writer.reset()
        writer.beginObject()
        writer.key("id")
        writer.string(device.addressText)
        if let name = device.name {
            writer.key("name")
            writer.string(name)
        }
        writer.key("rssi")
        writer.int(device.rssi)
        writer.key("addr_type")
        writer.string(device.addressType.name)
        if let txPower = device.txPower {
            writer.key("tx_power")
            writer.int(txPower)
        }
        if let iotDeviceID {
            writer.key("iot_device_id")
            writer.string(iotDeviceID)
        }
        if let reading = device.reading {
            writer.key("format")
            writer.string(reading.format.name)
            // `reading.keys`' names without its two arrays per advert: a reading holds a few
            // values, so counting the earlier ones of the same kind is cheaper.
            let measurements = reading.measurements
            for index in measurements.indices {
                let measurement = measurements[index]
                var occurrence = 1
                for earlier in measurements[..<index] where earlier.kind == measurement.kind { occurrence += 1 }
                writer.key(occurrence == 1 ? measurement.kind.key : SensorReading.key(measurement.kind, occurrence: occurrence))
                if let text = measurement.textValue { writer.string(text) } else { writer.number(measurement.value) }
            }
            if let undecoded = reading.undecoded {
                writer.key("undecoded")
                writer.string(Hex.encode(undecoded))
            }
        } else if let data = AdvertisingData.parse(device.lastData[...]) {
            // Devices no decoder knows: rarer, and their raw data is the message.
            var object = JSONObject(minimumCapacity: 3)
            appendRaw(data, to: &object)
            for (name, value) in object {
                writer.key(name)
                writer.value(value)
            }
        }
        writer.endObject()
    }

    static func appendRaw(_ data: AdvertisingData, to object: inout JSONObject) {
        if !data.manufacturerData.isEmpty {
            var manufacturer = JSONObject(minimumCapacity: data.manufacturerData.count)
            for entry in data.manufacturerData {
                manufacturer.append(BLEHex.uuid16(entry.company), .string(Hex.encode(entry.payload)))
            }
            object.append("manufacturer_data", .object(manufacturer))
        }
        if !data.serviceData.isEmpty {
            var service = JSONObject(minimumCapacity: data.serviceData.count)
            for entry in data.serviceData {
                service.append(BLEHex.uuid16(entry.uuid), .string(Hex.encode(entry.payload)))
            }
            object.append("service_data", .object(service))
        }
        if !data.serviceUUIDs.isEmpty {
            object.append("uuids", .array(data.serviceUUIDs.map { .string(BLEHex.uuid16($0)) }))
        }
    }

    /// The seed's BCMSDeviceInfo as far as it is known: address, name, approval, pairing,
    /// RSSI, last seen and decoder.
    static func info(_ address: BLEAddress, device: BLEDevice?, iotDeviceID: String?, paired: Bool,
                     nowSeconds: Int64, ageSeconds: Int64?) -> JSONValue {
        var object = JSONObject(minimumCapacity: 10)
        object.append("address", .string(address.text))
        object.append("name", device?.name.map { .string($0) } ?? .null)
        object.append("approved", .bool(iotDeviceID != nil))
        // Approved but not yet registered with the backend: no id yet.
        object.append("iotDeviceId", iotDeviceID.flatMap { $0.isEmpty ? nil : .string($0) } ?? .null)
        object.append("paired", .bool(paired))
        object.append("addressType", device.map { .string($0.addressType.name) } ?? .null)
        object.append("rssi", device.map { .int(Int($0.rssi)) } ?? .null)
        object.append("lastSeen", ageSeconds.map { .int(nowSeconds - $0) } ?? .null)
        object.append("present", .bool(device?.isPresent ?? false))
        object.append("decoder", device?.reading.map { .string($0.format.name) } ?? .null)
        return .object(object)
    }
}
