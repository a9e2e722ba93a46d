import Runtime

/// A setting with the type its code reads: `ConfigKey<Int>` for a port, `ConfigKey<Interval>`
/// for a period, `ConfigKey<CANTunnelMode>` for a choice. Defaults are stated as values; the
/// store validates text once when it comes in (`config set`, the file, the environment), so
/// reading a value never parses, fails or falls back.
///
/// Declared as `static let`s in the module that uses them; the module's `all` lists their
/// `any` for the schema.
public struct ConfigKey<Value>: Sendable {
    /// What the schema, the file and the doors see.
    public let any: AnyConfigKey
    /// Canonical text (already validated by `any.kind`) to the value.
    let decode: @Sendable (String) -> Value

    init(_ any: AnyConfigKey, decode: @escaping @Sendable (String) -> Value) {
        self.any = any
        self.decode = decode
    }

    public var name: String { any.name }
    public var isSecret: Bool { any.isSecret }
    public var defaultValue: Value { decode(any.defaultValue) }
}

/// A type whose values a `.choice` key offers by name (a mode, a protocol version).
public protocol ConfigChoice: Equatable, Sendable {
    /// Every value, in the order help lists them.
    static var configChoices: [Self] { get }
    /// The name users type and the file keeps.
    var configName: String { get }
}

extension ConfigKey where Value == String {
    /// Free text without NUL bytes; `secret` keys are stored but only ever shown as `***`.
    public static func text(_ name: String, default value: String = "", help: String, secret: Bool = false,
                            environment: String? = nil) -> ConfigKey<String> {
        ConfigKey(AnyConfigKey(name, .string, default: value, help: help, secret: secret, environment: environment)) { $0 }
    }

    /// A name fit for topics and interfaces: 1 to 64 letters, digits, `-`, `_`, `.`.
    public static func identifier(_ name: String, default value: String, help: String,
                                  environment: String? = nil) -> ConfigKey<String> {
        ConfigKey(AnyConfigKey(name, .identifier, default: value, help: help, environment: environment)) { $0 }
    }

    /// A host name or IP address.
    public static func host(_ name: String, default value: String, help: String,
                            environment: String? = nil) -> ConfigKey<String> {
        ConfigKey(AnyConfigKey(name, .host, default: value, help: help, environment: environment)) { $0 }
    }

    /// Empty, or the path of a file the gateway can read (checked at `set`).
    public static func file(_ name: String, default value: String = "", help: String,
                            environment: String? = nil) -> ConfigKey<String> {
        ConfigKey(AnyConfigKey(name, .path(directory: false), default: value, help: help, environment: environment)) { $0 }
    }

    /// Empty, or the path of a directory the gateway can read (checked at `set`).
    public static func directory(_ name: String, default value: String = "", help: String,
                                 environment: String? = nil) -> ConfigKey<String> {
        ConfigKey(AnyConfigKey(name, .path(directory: true), default: value, help: help, environment: environment)) { $0 }
    }

    /// An IP address to listen on: IPv4, or also IPv6 when `ipv6`.
    public static func ipAddress(_ name: String, default value: String, ipv6: Bool, help: String,
                                 environment: String? = nil) -> ConfigKey<String> {
        ConfigKey(AnyConfigKey(name, .ipAddress(ipv6: ipv6), default: value, help: help, environment: environment)) { $0 }
    }

    /// Empty, or an `http://` or `https://` URL.
    public static func url(_ name: String, default value: String = "", help: String,
                           environment: String? = nil) -> ConfigKey<String> {
        ConfigKey(AnyConfigKey(name, .url, default: value, help: help, environment: environment)) { $0 }
    }

    /// Empty, or a UUID (spaces around it dropped).
    public static func uuid(_ name: String, help: String, environment: String? = nil) -> ConfigKey<String> {
        ConfigKey(AnyConfigKey(name, .uuid, default: "", help: help, environment: environment)) { $0 }
    }

    /// `MAC=KEY` pairs with keys of `bytes` bytes of hex, read as one text (a secret, usually).
    public static func macKeys(_ name: String, bytes: Int, help: String, secret: Bool = false) -> ConfigKey<String> {
        ConfigKey(AnyConfigKey(name, .macPairs(.hex(bytes: bytes)), default: "", help: help, secret: secret)) { $0 }
    }

    /// A Wi-Fi setting checked at `set` (`.wifiSSID`, `.wifiPassphrase`, `.countryCode`).
    public static func wifi(_ name: String, _ kind: ConfigKind, default value: String = "", help: String,
                            secret: Bool = false) -> ConfigKey<String> {
        ConfigKey(AnyConfigKey(name, kind, default: value, help: help, secret: secret)) { $0 }
    }

    /// CAN accept filters (`ID:MASK` or `ID` items), read as the text CAN parses.
    public static func canFilters(_ name: String, help: String) -> ConfigKey<String> {
        ConfigKey(AnyConfigKey(name, .canFilters, default: "", help: help)) { $0 }
    }

    /// An MQTT topic to publish on or under (see `MQTTTopicName`).
    public static func topic(_ name: String, default value: String, help: String,
                             environment: String? = nil) -> ConfigKey<String> {
        ConfigKey(AnyConfigKey(name, .topic, default: value, help: help, environment: environment)) { $0 }
    }
}

extension ConfigKey where Value == Int {
    /// A decimal integer within `range`.
    public static func integer(_ name: String, in range: ClosedRange<Int>, default value: Int, help: String,
                               environment: String? = nil) -> ConfigKey<Int> {
        ConfigKey(AnyConfigKey(name, .integer(min: range.lowerBound, max: range.upperBound), default: String(value),
                               help: help, environment: environment)) { ConfigText.parseInteger($0)! }
    }

    /// A TCP port, 1 to 65535.
    public static func port(_ name: String, default value: Int, help: String,
                            environment: String? = nil) -> ConfigKey<Int> {
        integer(name, in: 1...65535, default: value, help: help, environment: environment)
    }

    /// One of `choices` (the standard CAN bit rates).
    public static func oneOf(_ name: String, _ choices: [Int], default value: Int, help: String,
                             environment: String? = nil) -> ConfigKey<Int> {
        ConfigKey(AnyConfigKey(name, .integerChoice(choices), default: String(value), help: help,
                               environment: environment)) { ConfigText.parseInteger($0)! }
    }

    /// A power of two within `range` (ring capacities).
    public static func powerOfTwo(_ name: String, in range: ClosedRange<Int>, default value: Int, help: String)
        -> ConfigKey<Int>
    {
        ConfigKey(AnyConfigKey(name, .powerOfTwo(min: range.lowerBound, max: range.upperBound), default: String(value),
                               help: help)) { ConfigText.parseInteger($0)! }
    }
}

extension ConfigKey where Value == Bool {
    /// `true`/`false` (on/off, yes/no, 1/0 accepted).
    public static func flag(_ name: String, default value: Bool, help: String,
                            environment: String? = nil) -> ConfigKey<Bool> {
        ConfigKey(AnyConfigKey(name, .boolean, default: value ? "true" : "false", help: help,
                               environment: environment)) { $0 == "true" }
    }
}

extension ConfigKey where Value == Interval {
    /// Whole seconds within `range` (`30`, `30s`, `5m`, `1h`), read as an `Interval`.
    public static func duration(_ name: String, seconds range: ClosedRange<Int>, default value: Int, help: String,
                                environment: String? = nil) -> ConfigKey<Interval> {
        ConfigKey(AnyConfigKey(name, .duration(min: range.lowerBound, max: range.upperBound), default: String(value),
                               help: help, environment: environment)) { .seconds(Int64(ConfigText.parseInteger($0)!)) }
    }
}

extension ConfigKey where Value == [String] {
    /// Comma-separated items, read trimmed, without empty items or repeats.
    public static func list(_ name: String, default value: [String] = [], help: String,
                            environment: String? = nil) -> ConfigKey<[String]> {
        ConfigKey(AnyConfigKey(name, .list, default: value.joined(separator: ","), help: help,
                               environment: environment)) { ConfigKind.listItems($0) }
    }
}

extension ConfigKey where Value == [String] {
    /// Comma-separated keys of `bytes` bytes of hex each, read in lower case.
    public static func hexKeys(_ name: String, bytes: Int, help: String) -> ConfigKey<[String]> {
        ConfigKey(AnyConfigKey(name, .hexList(bytes: bytes), default: "", help: help)) { ConfigKind.listItems($0) }
    }

    /// Comma-separated MAC addresses, read as `AA:BB:CC:DD:EE:FF`.
    public static func macs(_ name: String, help: String) -> ConfigKey<[String]> {
        ConfigKey(AnyConfigKey(name, .macList, default: "", help: help)) { ConfigKind.listItems($0) }
    }

    /// Comma-separated `MAC=UUID` pairs.
    public static func macUUIDs(_ name: String, help: String) -> ConfigKey<[String]> {
        ConfigKey(AnyConfigKey(name, .macPairs(.uuid), default: "", help: help)) { ConfigKind.listItems($0) }
    }
}

extension ConfigKey where Value: ConfigChoice {
    /// One of `Value.configChoices`, by name (any ASCII case).
    public static func choice(_ name: String, default value: Value, help: String,
                              environment: String? = nil) -> ConfigKey<Value> {
        let names = Value.configChoices.map { $0.configName }
        return ConfigKey(AnyConfigKey(name, .choice(names), default: value.configName, help: help,
                                      environment: environment)) { text in
            // The kind admits only listed names, in their listed spelling.
            Value.configChoices.first { $0.configName == text }!
        }
    }
}
