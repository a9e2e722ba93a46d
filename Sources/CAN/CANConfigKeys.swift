import Store

/// The CAN tunnel's settings (`can.*`), listed for the schema by the service catalogue.
///
/// Over MQTT only `can.only_changes` may change (`.remoteSafe()`): never the bus, its device
/// or interface, bit rates, listen-only (off, the gateway writes to the car's bus), the
/// mode, the topic, the filters (free text a service checks only at start), the ring or the
/// batch window.
public enum CANConfigKeys {
    public static let enabled = ConfigKey<Bool>.flag(
        "can.enabled", default: false,
        help: "Run the CAN <-> MQTT tunnel (wire-compatible with PyMQTT2CAN and SavvyCAN).")
    public static let bus = ConfigKey<CANBusSettings.Kind>.choice(
        "can.bus", default: .socketcan,
        help: "The kind of CAN bus: a SocketCAN interface (can.iface) or an SLCAN USB adapter (can.slcan_device).")
    public static let interface = ConfigKey<String>.identifier(
        "can.iface", default: "can0",
        help: "Network interface of the CAN bus, e.g. can0 or vcan0.")
    public static let slcanDevice = ConfigKey<String>.text(
        "can.slcan_device", default: "/dev/ttyACM0",
        help: "Serial device of the SLCAN adapter (CANable and similar), e.g. /dev/ttyACM0 or a /dev/serial/by-id link.")
    public static let bitrate = ConfigKey<Int>.oneOf(
        "can.bitrate", [0, 10_000, 20_000, 50_000, 83_300, 83_333, 100_000, 125_000, 250_000, 500_000, 750_000, 800_000, 1_000_000], default: 0,
        help: "Nominal bit rate in bit/s; 0 keeps a SocketCAN interface's own setting and means 500000 for an SLCAN adapter.")
    public static let dataBitrate = ConfigKey<Int>.oneOf(
        "can.data_bitrate", [0, 2_000_000, 5_000_000], default: 0,
        help: "CAN FD data-phase bit rate of an SLCAN adapter (2000000 or 5000000); 0 for none.")
    public static let topic = ConfigKey<String>.topic(
        "can.topic", default: "can",
        help: "Base MQTT topic: frames go to <topic>/<decimal id> (server) or <topic>/s/<decimal id> (client); may contain /.")
    public static let mode = ConfigKey<CANTunnelMode>.choice(
        "can.mode", default: .server,
        help: "server at the physical bus (PyMQTT2CAN -S), client at a remote (usually virtual) bus.")
    public static let filters = ConfigKey<String>.canFilters(
        "can.filters",
        help: "Accept filters for published bus frames as ID:MASK pairs, e.g. 0x7E8:0x7F8,0x100; empty for all.")
    public static let onlyChanges = ConfigKey<Bool>.flag(
        "can.only_changes", default: false,
        help: "Publish a frame only when its id's data changed since the last one.").remoteSafe()
    public static let ringCapacity = ConfigKey<Int>.powerOfTwo(
        "can.ring_capacity", in: 2...(1 << 20), default: CANTunnelSettings.defaultRingCapacity,
        help: "Frames buffered between the bus reader thread and the run loop; more are dropped and counted.")
    public static let batchMicroseconds = ConfigKey<Int>.integer(
        "can.batch_us", in: 0...100_000, default: CANTunnelSettings.defaultBatchMicroseconds,
        help: "Microseconds frames from the bus may wait to be published together (fewer wake-ups per frame); 0 for none.")
    public static let listenOnly = ConfigKey<Bool>.flag(
        "can.listen_only", default: false,
        help: "Never write to the bus (SLCAN adapters open listen-only and do not ACK); frames from MQTT are dropped.")
    public static let fdBitRateSwitch = ConfigKey<Bool>.flag(
        "can.fd_brs", default: false,
        help: "Send CAN FD frames from MQTT with the bit rate switch (the MQTT payload has no BRS bit).")

    /// Every key above, for the schema.
    public static var all: [AnyConfigKey] {
        [enabled.any, bus.any, interface.any, slcanDevice.any, bitrate.any, dataBitrate.any, topic.any, mode.any,
         filters.any, onlyChanges.any, ringCapacity.any, listenOnly.any, fdBitRateSwitch.any, batchMicroseconds.any]
    }
}
