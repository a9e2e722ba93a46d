import Store

/// The CAN tunnel's settings (`can.*`); `can.iface` is one of `StandardKeys`. Register
/// `CANConfigKeys.all` in the gateway's schema beside the standard keys.
public enum CANConfigKeys {
    public static let enabled = ConfigKey(
        "can.enabled", .boolean, default: "false",
        help: "Run the CAN <-> MQTT tunnel (wire-compatible with PyMQTT2CAN and SavvyCAN).")
    public static let bus = ConfigKey(
        "can.bus", .choice(["socketcan", "slcan"]), default: "socketcan",
        help: "The kind of CAN bus: a SocketCAN interface (can.iface) or an SLCAN USB adapter (can.slcan_device).")
    public static let slcanDevice = ConfigKey(
        "can.slcan_device", .string, default: "/dev/ttyACM0",
        help: "Serial device of the SLCAN adapter (CANable and similar), e.g. /dev/ttyACM0 or a /dev/serial/by-id link.")
    public static let bitrate = ConfigKey(
        "can.bitrate", .integer(min: 0, max: 1_000_000), default: "0",
        help: "Nominal bit rate in bit/s; 0 keeps a SocketCAN interface's own setting and means 500000 for an SLCAN adapter.")
    public static let dataBitrate = ConfigKey(
        "can.data_bitrate", .integer(min: 0, max: 8_000_000), default: "0",
        help: "CAN FD data-phase bit rate of an SLCAN adapter (2000000 or 5000000); 0 for none.")
    public static let topic = ConfigKey(
        "can.topic", .string, default: "can",
        help: "Base MQTT topic: frames go to <topic>/<decimal id> (server) or <topic>/s/<decimal id> (client); may contain /.")
    public static let mode = ConfigKey(
        "can.mode", .choice(["server", "client"]), default: "server",
        help: "server at the physical bus (PyMQTT2CAN -S), client at a remote (usually virtual) bus.")
    public static let filters = ConfigKey(
        "can.filters", .string, default: "",
        help: "Accept filters for published bus frames as ID:MASK pairs, e.g. 0x7E8:0x7F8,0x100; empty for all.")
    public static let onlyChanges = ConfigKey(
        "can.only_changes", .boolean, default: "false",
        help: "Publish a frame only when its id's data changed since the last one.")
    public static let ringCapacity = ConfigKey(
        "can.ring_capacity", .integer(min: 2, max: 1 << 20), default: "4096",
        help: "Frames buffered between the bus reader thread and the run loop (a power of two); more are dropped and counted.")
    public static let listenOnly = ConfigKey(
        "can.listen_only", .boolean, default: "false",
        help: "Never write to the bus (SLCAN adapters open listen-only and do not ACK); frames from MQTT are dropped.")
    public static let fdBitRateSwitch = ConfigKey(
        "can.fd_brs", .boolean, default: "false",
        help: "Send CAN FD frames from MQTT with the bit rate switch (the MQTT payload has no BRS bit).")

    /// Every key above, for `ConfigSchema.register`.
    public static var all: [ConfigKey] {
        [enabled, bus, slcanDevice, bitrate, dataBitrate, topic, mode, filters, onlyChanges, ringCapacity,
         listenOnly, fdBitRateSwitch]
    }
}
