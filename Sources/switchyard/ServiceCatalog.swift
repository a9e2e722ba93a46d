import Benchlab
import BLE
import Board
import CAN
import ServiceKit
import Store

/// Every service this firmware has, and so every config key: a new service adds one line
/// to `services`, and its keys come with its descriptor.
///
/// | service | keys |
/// |---|---|
/// | `benchlab` | `BenchlabConfigKeys`: benchlab.enabled, poll_s, ports, discover, rescan_s, topic_info, topic_telemetry, retain_info |
/// | `ble` | `BLEConfigKeys`: ble.enabled, adapter, uart_baud, scan_s, extended, command_timeout_ms, watchdog_windows, publish_interval_s, presence_timeout_s, allow, deny, min_rssi, approved_only, decoded_only, max_devices, discovery, discovery_prefix, bthome_keys; `IoTConfigKeys`: iot.url, submit_s, cache_clear_s, token, use_device_identity, cert_file, key_file, ca_file, application_identifier, username, capacity, timeout_s; records ble.mode, ble.approved |
/// | `can` | `CANConfigKeys`: can.enabled, bus, iface, slcan_device, bitrate, data_bitrate, topic, mode, filters, only_changes, ring_capacity, listen_only, fd_brs |
///
/// Besides them: `StandardKeys` (node.*, log.*, mqtt.*, rpc.*, console.*) and `BoardConfigKeys`
/// (board.name, led.path).
enum ServiceCatalog {
    /// The services, in start order (stopped in reverse).
    static let services: [ServiceDescriptor] = [
        BenchlabService.descriptor,
        CANService.descriptor,
        BLEService.descriptor,
    ]

    /// The gateway-wide keys, the board's and every service's: what `config keys` lists.
    static var schema: ConfigSchema {
        var schema = ConfigSchema.standard
        schema.register(BoardConfigKeys.all)
        for service in services { schema.register(service.keys + service.recordKeys) }
        return schema
    }
}
