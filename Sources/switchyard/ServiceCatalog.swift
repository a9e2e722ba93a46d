import Benchlab
import Board
import CAN
import OTA
import ServiceKit
import Store

/// Every service this firmware has, and so every config key: a new service adds one line
/// to `services`, and its keys come with its descriptor.
///
/// | service | keys |
/// |---|---|
/// | `benchlab` | `BenchlabConfigKeys`: benchlab.enabled, poll_s, ports, discover, rescan_s, topic_info, topic_telemetry, retain_info |
/// | `ota` | `OTAConfigKeys`: ota.enabled, public_keys, trial_s |
/// | `can` | `CANConfigKeys`: can.enabled, bus, iface, slcan_device, bitrate, data_bitrate, topic, mode, filters, only_changes, ring_capacity, listen_only, fd_brs |
///
/// Besides them: `StandardKeys` (node.*, log.*, mqtt.*, rpc.*, console.*) and `BoardConfigKeys`
/// (board.name, led.path).
enum ServiceCatalog {
    /// The services, in start order (stopped in reverse).
    static let services: [ServiceDescriptor] = [
        BenchlabService.descriptor,
        CANService.descriptor,
        OTAService.descriptor(version: Version.string),
    ]

    /// The gateway-wide keys, the board's and every service's: what `config keys` lists.
    static var schema: ConfigSchema {
        var schema = ConfigSchema.standard
        schema.register(BoardConfigKeys.all)
        for service in services { schema.register(service.keys) }
        return schema
    }
}
