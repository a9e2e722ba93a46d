/// The blood-pressure monitors the original supports, known by their advertised name: A&D
/// UA-651BLE, Omron BLESmart and "X4 Smart". They are bonded before their first connection
/// (they refuse their measurements otherwise) and connected in every working mode but off.
public enum BloodPressureCuff {
    static let namePrefixes = ["A&D_UA-651BLE_", "BLESmart_", "X4 Smart"]

    /// Whether a device named `name` is one of the supported cuffs.
    public static func matches(_ name: String?) -> Bool {
        guard let name else { return false }
        return namePrefixes.contains { name.hasPrefix($0) }
    }
}
