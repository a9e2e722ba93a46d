import Store

/// Settings a board profile provides (board/<name>/defaults.conf) and users may override.
///
/// Neither is remote-safe: they name the board and a sysfs path.
public enum BoardConfigKeys {
    public static let name = ConfigKey<String>.identifier(
        "board.name", default: "generic",
        help: "Board profile (rpi3, rpi4, rpi5, zero2w, qemu-virt, generic): set it to override the "
            + "detection from /proc/device-tree; `run` then applies /etc/switchyard/boards/<name>.conf.",
        environment: "SWITCHYARD_BOARD").appliesAtRestart()
    public static let ledPath = ConfigKey<String>.directory(
        "led.path",
        help: "Directory of the status LED in sysfs, e.g. /sys/class/leds/ACT; empty for none.").appliesAtRestart()

    public static var all: [AnyConfigKey] { [name.any, ledPath.any] }
}
