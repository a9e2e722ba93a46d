import Benchlab
import BLE
import Board
import CAN
import CarData
import Network
import OTA
import ServiceKit
import Skoda
import Store
import Web

/// Every service this firmware has, and so every config key: a new service adds one line
/// to `services`, and its keys come with its descriptor.
///
/// | service | keys |
/// |---|---|
/// | `benchlab` | `BenchlabConfigKeys`: benchlab.enabled, poll_s, ports, discover, rescan_s, topic_info, topic_telemetry, retain_info |
/// | `skoda` | `SkodaConfigKeys`: skoda.enabled, user_id, vins, refresh_token, fcm_token, refresh_url, mqtt_host, mqtt_port, mqtt_tls, mqtt_ca_file, discovery, discovery_prefix |
/// | `bmw` | `CarDataConfigKeys`: bmw.enabled, client_id, vin, mqtt_host, mqtt_port, mqtt_ca_file, auth_url, catalogue_url, http_ca_file, token_file, topic, ha_discovery, log_raw, session_expiry_s (+ stored: refresh_token, refresh_expires, gcid, scope) |
/// | `ble` | `BLEConfigKeys`: ble.enabled, adapter, uart_baud, scan_s, extended, command_timeout_ms, watchdog_windows, publish_interval_s, presence_timeout_s, allow, deny, min_rssi, approved_only, decoded_only, max_devices, discovery, discovery_prefix, bthome_keys, io_capability, pair_timeout_s, mgmt_socket, bindkeys (secret); `IoTConfigKeys`: iot.url, submit_s, cache_clear_s, token, use_device_identity, cert_file, key_file, ca_file, application_identifier, username, capacity, timeout_s; records ble.mode, ble.approved, ble.pairing_keys (secret) |
/// | `ota` | `OTAConfigKeys`: ota.enabled, public_keys, trial_s |
/// | `can` | `CANConfigKeys`: can.enabled, bus, iface, slcan_device, bitrate, data_bitrate, topic, mode, filters, only_changes, ring_capacity, listen_only, fd_brs |
/// | `web` | `WebConfigKeys`: web.enabled, bind, port, username, password, max_clients, update_ms |
///
/// Besides them: `StandardKeys` (node.*, log.*, mqtt.*, rpc.*, console.*) and `BoardConfigKeys`
/// (board.name, led.path).
public enum ServiceCatalog {
    /// The services, in start order (stopped in reverse). Computed: a descriptor holds its
    /// factory closure, which is no value to share between threads as a global.
    public static var services: [ServiceDescriptor] {[
        // First: it decides whether TLS connections may start (ClockTrust).
        NetworkService.descriptor,
        BenchlabService.descriptor,
        CANService.descriptor,
        SkodaService.descriptor,
        CarDataService.descriptor,
        BLEService.descriptor,
        OTAService.descriptor(version: Version.string),
        WebService.descriptor,
    ]}

    /// The gateway-wide keys, the board's and every service's: what `config keys` lists.
    public static var schema: ConfigSchema {
        var schema = ConfigSchema.standard
        schema.register(BoardConfigKeys.all)
        for service in services { schema.register(service.keys + service.storedKeys) }
        schema.register(checks: IoTConfigKeys.checks + CarDataConfigKeys.checks + SkodaConfigKeys.checks
                        + WebConfigKeys.checks)
        return schema
    }
}
