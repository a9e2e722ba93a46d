import Store

/// Settings a board profile provides (board/<name>/defaults.conf) and users may override.
public enum BoardConfigKeys {
    public static let name = ConfigKey<String>.text(
        "board.name", default: "generic",
        help: "Board profile name, shown on the state topic (rpi4, rpi5, qemu-virt, generic).")
    public static let ledPath = ConfigKey<String>.text(
        "led.path",
        help: "Directory of the status LED in sysfs, e.g. /sys/class/leds/ACT; empty for none.")

    public static var all: [AnyConfigKey] { [name.any, ledPath.any] }
}
