/// A subcommand's arguments: `--name value`, `--name=value`, bare flags and positionals.
/// Small on purpose: the firmware cannot link swift-argument-parser.
public struct Arguments {
    public private(set) var positionals: [String] = []
    private var options: [String: String] = [:]
    private var flags: Set<String> = []

    /// Splits `arguments`; `valued` names the options that take a value.
    public init(_ arguments: [String], valued: Set<String>) throws(UsageError) {
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            // A negative number is a value (`config set mqtt.port -1` must reach the store,
            // which says what is allowed), never an option: no option starts with a digit.
            guard argument.hasPrefix("-"), argument != "-", !Arguments.isNegativeNumber(argument) else {
                positionals.append(argument)
                continue
            }
            if argument == "--" {
                positionals.append(contentsOf: arguments[index...])
                break
            }
            var name = argument
            var inlineValue: String? = nil
            if let equals = argument.firstIndex(of: "=") {
                name = String(argument[..<equals])
                inlineValue = String(argument[argument.index(after: equals)...])
            }
            if valued.contains(name) {
                if let inlineValue {
                    options[name] = inlineValue
                } else {
                    guard index < arguments.count else { throw UsageError("\(name) needs a value") }
                    options[name] = arguments[index]
                    index += 1
                }
            } else if name == "-h" || name == "--help" {
                flags.insert("--help")
            } else if inlineValue == nil, Arguments.knownFlags.contains(name) {
                flags.insert(name)
            } else {
                throw UsageError("unknown option \(argument)")
            }
        }
    }

    /// Flags every subcommand understands.
    public static let knownFlags: Set<String> = ["--help", "--json", "--verbose", "--force", "--downgrade"]

    /// The value of the valued option `name`, if given.
    public func value(_ name: String) -> String? { options[name] }
    /// Whether the flag `flag` was given.
    public func has(_ flag: String) -> Bool { flags.contains(flag) }
    /// `-h` or `--help` was given.
    public var wantsHelp: Bool { flags.contains("--help") }

    /// `-1`, `-2.5`: a minus sign followed by a digit.
    public static func isNegativeNumber(_ argument: String) -> Bool {
        let bytes = Array(argument.utf8)
        return bytes.count >= 2 && bytes[0] == UInt8(ascii: "-") && bytes[1] >= UInt8(ascii: "0")
            && bytes[1] <= UInt8(ascii: "9")
    }
}
