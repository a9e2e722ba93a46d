/// One setting of the gateway as the schema, the file and the doors see it: its dotted name,
/// the values it takes, its default as canonical text, a sentence of help, whether it is a
/// secret, the environment variable that overrides it, and whether MQTT may change it.
///
/// Modules declare typed `ConfigKey<Value>`s (whose `any` is this) and list them for the
/// schema; code reads values through the typed key, never through this text.
public struct AnyConfigKey: Equatable, Sendable {
    /// Dotted lowercase name, e.g. `mqtt.port`.
    public let name: String
    public let kind: ConfigKind
    /// The default, in canonical text.
    public let defaultValue: String
    /// One sentence a user understands.
    public let help: String
    /// Secrets are stored and saved, but shown as `***` everywhere.
    public let isSecret: Bool
    /// The environment variable that overrides the key (the seeds' names), if any.
    public let environmentName: String?
    /// Whether the MQTT door may change it without `cmnd.allow_privileged`: false unless the
    /// declaration says `.remoteSafe()` (see `AnyConfigKey+RemoteRight.swift`).
    public internal(set) var isRemoteSafe = false
    /// Whether a change takes effect only when the gateway starts again (the console's
    /// device, the board): false unless the declaration says `.appliesAtRestart()`.
    public internal(set) var appliesAtRestart = false

    public init(
        _ name: String, _ kind: ConfigKind, default defaultValue: String, help: String,
        secret: Bool = false, environment: String? = nil
    ) {
        precondition(AnyConfigKey.isValidName(name), "config key name must be dotted lowercase: " + name)
        guard let canonical = kind.canonical(defaultValue) else {
            preconditionFailure("config key " + name + ": its default is not allowed by its kind")
        }
        precondition(canonical == defaultValue, "config key " + name + ": default must be canonical text")
        self.name = name
        self.kind = kind
        self.defaultValue = defaultValue
        self.help = help
        self.isSecret = secret
        self.environmentName = environment
    }

    /// The canonical text of `text`, or `.invalidValue` naming the key, the value (masked if
    /// this key is a secret) and what is allowed.
    public func validate(_ text: String) throws(StoreError) -> String {
        guard let canonical = kind.canonical(text) else {
            // Inside the error's quotes an empty value needs no `""` of its own.
            let shown = isSecret && !text.isEmpty ? ConfigText.mask : ConfigText.escaped(text)
            throw .invalidValue(key: name, value: ConfigText.shortened(shown), allowed: kind.allowed)
        }
        return canonical
    }

    /// How `value` of this key is shown to people: `***` for a non-empty secret, `""` for
    /// an empty value, control characters escaped.
    public func displayValue(_ value: String) -> String {
        ConfigText.display(value, secret: isSecret)
    }

    /// Help for a listing: `mqtt.port (integer 1..65535, default 1883, env MQTT_PORT): ...`;
    /// a key open to the MQTT door says `settable over MQTT`.
    public var helpLine: String {
        var line = name + " (" + kind.name + ", default " + displayValue(defaultValue)
        if let environmentName { line += ", env " + environmentName }
        if isSecret { line += ", secret" }
        if isRemoteSafe { line += ", " + AnyConfigKey.remoteMarker }
        if appliesAtRestart { line += ", " + AnyConfigKey.restartMarker }
        line += "): " + help
        if case .choice = kind { line += " Allowed: " + kind.allowed + "." }
        return line
    }

    /// What `helpLine` says of a key whose change waits for a restart.
    public static let restartMarker = "applies at restart"

    /// What `helpLine` says of a key the MQTT door may change.
    public static let remoteMarker = "settable over MQTT"

    /// Key names are what the file format relies on: lowercase ASCII letters, digits, `_`
    /// and `-` in dot-separated parts, never `=`, spaces or line breaks.
    public static func isValidName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard !bytes.isEmpty, bytes.count <= 128, bytes.first != UInt8(ascii: "."),
              bytes.last != UInt8(ascii: ".") else { return false }
        var previous: UInt8 = 0
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "_"), UInt8(ascii: "-"):
                break
            case UInt8(ascii: "."):
                if previous == UInt8(ascii: ".") { return false }
            default:
                return false
            }
            previous = byte
        }
        return true
    }
}
