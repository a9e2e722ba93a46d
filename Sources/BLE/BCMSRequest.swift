import JSON
import ServiceKit

/// One call of the seed's BCMS interface, from CLI-style words (`approve --address A`),
/// an RPC params array (`["approve", "A"]`) or an RPC params object
/// (`{"method": "list", "onlyApproved": true}`).
struct BCMSRequest {
    enum Method: Equatable {
        case list, approve, remove, mode, setMode, pair, unpair, isPaired

        init?(_ name: String) {
            switch name {
            case "list": self = .list
            case "approve": self = .approve
            case "remove": self = .remove
            case "mode": self = .mode
            case "set_mode", "setMode": self = .setMode
            case "pair": self = .pair
            case "unpair": self = .unpair
            case "is_paired", "isPaired": self = .isPaired
            default: return nil
            }
        }
    }

    var method: Method
    var address: String?
    var onlyApproved = false
    var mode: String?
    /// An IoT device id given with `approve` (else one is made).
    var iotDeviceID: String?

    static let usage = "usage: bcms {list,approve,remove,mode,set_mode,pair,unpair,is_paired} [--address A] "
        + "[--only_approved | --no-only_approved] [--mode M] [--id UUID]"

    /// Parses `request`; the failure text says what is allowed.
    static func parse(_ request: CommandRequest) -> Result<BCMSRequest, BCMSUsageError> {
        var words = request.arguments
        if let parameters = request.parameters, case .string(let name)? = parameters["method"] {
            words.insert(name, at: 0)
        }
        guard let first = words.first else { return .failure(BCMSUsageError(usage)) }
        guard let method = Method(first) else {
            return .failure(BCMSUsageError("unknown BCMS method \"" + first + "\"; " + usage))
        }
        var parsed = BCMSRequest(method: method)
        var index = 1
        while index < words.count {
            let word = words[index]
            func value() -> String? {
                index += 1
                return index < words.count ? words[index] : nil
            }
            switch word {
            case "--address": parsed.address = value()
            case "--mode": parsed.mode = value()
            case "--id": parsed.iotDeviceID = value()
            case "--only_approved": parsed.onlyApproved = true
            case "--no-only_approved": parsed.onlyApproved = false
            case "true", "True": if method == .list { parsed.onlyApproved = true }
            case "false", "False": if method == .list { parsed.onlyApproved = false }
            default:
                if word.hasPrefix("--") { return .failure(BCMSUsageError("unknown option " + word + "; " + usage)) }
                // Positional: the address, or the mode for set_mode.
                if method == .setMode && parsed.mode == nil { parsed.mode = word } else { parsed.address = word }
            }
            index += 1
        }
        if let parameters = request.parameters {
            if case .string(let address)? = parameters["address"] { parsed.address = address }
            if case .string(let mode)? = parameters["mode"] { parsed.mode = mode }
            if case .string(let id)? = parameters["iotDeviceId"] { parsed.iotDeviceID = id }
            if case .bool(let only)? = parameters["onlyApproved"] { parsed.onlyApproved = only }
        }
        return .success(parsed)
    }
}

/// A BCMS call that could not be understood.
struct BCMSUsageError: Error {
    let message: String
    init(_ message: String) { self.message = message }
}
