import CLI
import CSupport
import Console
import JSON
import Runtime
import ServiceKit
import Store

/// `switchyard bcms` (also the binary run as `bcms`): the seed's BCMS CLI, a client of the
/// gateway's JSON-RPC port calling the `bcms` command there with the same words.
enum BCMSCommand {
    /// `bcms` in the `ble` service's descriptor; the binary run as `bcms` (a symlink) is it too.
    static var command: ServiceCommand {
        ServiceCommand("bcms", summary: "The BLE device manager CLI (seed BCMS): list, approve, remove, set_mode, pair, unpair, ...",
                       help: help, answersToProgramName: true) { arguments, environment throws(UsageError) in
            try main(arguments, schema: environment.schema)
        }
    }

    static let help = """
    usage: bcms [-h] [--address ADDRESS] [--only_approved | --no-only_approved] [--mode MODE]
                {list,approve,remove,mode,set_mode,pair,unpair,is_paired}

    BCMS client: asks the running gateway over its JSON-RPC port (rpc.bind:rpc.port, 4567 by
    default) and prints the answer as JSON: devices/status plus errors, as the seed does.
    pair and unpair wait until the gateway has finished (pairing: up to ble.pair_timeout_s,
    40 s by default); the gateway pairs through the kernel's mgmt API, so ble.adapter must
    be a kernel adapter (hci0), not an HCI UART path.

    options:
      -h, --help            show this help message and exit
      --address ADDRESS     a device's MAC address, AA:BB:CC:DD:EE:FF
      --only_approved, --no-only_approved
                            list only approved devices (default: all devices heard)
      --mode MODE           off, passive or active (set_mode)
      --id UUID             the IoT device id to approve with (default: a new random UUID)
      --host HOST, --port PORT
                            the gateway's RPC address (default: rpc.bind and rpc.port of the
                            saved settings in --data DIR)
    """

    static func main(_ arguments: [String], schema: ConfigSchema) throws(UsageError) -> Int32 {
        var words: [String] = []
        var host: String?
        var port: Int?
        var dataDirectory: String?
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            switch argument {
            case "-h", "--help":
                Output.line(help)
                return 0
            case "--host", "--port", "--data":
                guard index < arguments.count else { throw UsageError(argument + " needs a value") }
                let value = arguments[index]
                index += 1
                if argument == "--host" { host = value }
                if argument == "--data" { dataDirectory = value }
                if argument == "--port" {
                    guard let number = Int(value), number > 0, number < 65536 else {
                        throw UsageError("--port takes a TCP port, 1 to 65535")
                    }
                    port = number
                }
            default:
                words.append(argument)
            }
        }
        guard !words.isEmpty else { throw UsageError("which method: list, approve, remove, mode, set_mode, pair, unpair or is_paired?") }
        let directory = DataDirectory.resolve(dataDirectory)
        let store = ConfigStore(schema: schema, dataDirectory: directory)
        if host == nil { host = store.value(StandardKeys.rpcBind) }
        if port == nil { port = store.value(StandardKeys.rpcPort) }
        // A pairing answers when it is done: wait longer than the gateway lets it take.
        let pairSeconds = Int32(store.value(BLEConfigKeys.pairTimeout).milliseconds / 1000)
        let timeoutMilliseconds = max(15, pairSeconds + 15) * 1000
        // The RPC door's token, when this user can read it (the gateway's data directory);
        // without it only a door opened by rpc.allow_local answers.
        var preamble: [String] = []
        if let token = try? RPCToken.read(in: directory) {
            var auth = JSONObject(minimumCapacity: 4)
            auth.append("jsonrpc", "2.0")
            auth.append("id", .int(0))
            auth.append("method", "auth")
            auth.append("params", .array([.string(token)]))
            preamble.append(JSONValue.object(auth).serialized())
        }
        var request = JSONObject(minimumCapacity: 4)
        request.append("jsonrpc", "2.0")
        request.append("id", .int(1))
        request.append("method", "bcms")
        request.append("params", .array(words.map { .string($0) }))
        let target = (host == "0.0.0.0" ? "127.0.0.1" : host!)
        guard let line = RPCLineClient.call(host: target, port: port!, line: JSONValue.object(request).serialized(),
                                            preamble: preamble, timeoutMilliseconds: timeoutMilliseconds) else {
            Output.error("bcms: no answer from the gateway at " + target + ":" + String(port!)
                         + " (is `switchyard run` up with ble.enabled true?)")
            return 1
        }
        let reply: JSONValue
        do throws(JSONError) { reply = try JSONValue.parse(line) } catch {
            Output.error("bcms: the gateway answered something that is not JSON-RPC: " + line)
            return 1
        }
        if let result = reply["result"] {
            Output.line(result.serialized())
            return result["status"]?.boolValue == false ? 1 : 0
        }
        Output.error("bcms: " + (reply["error"]?["message"]?.stringValue ?? line))
        return 1
    }
}

/// One blocking JSON-RPC exchange over TCP for command-line clients (never the gateway's
/// loop): connect, send the preamble (`auth`) and a line, read their replies, with a timeout
/// on each step. The answer is the line's reply, or the first error a preamble line got.
enum RPCLineClient {
    static func call(host: String, port: Int, line: String, preamble: [String] = [],
                     timeoutMilliseconds: Int32 = 15_000) -> String? {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(truncatingIfNeeded: port).bigEndian
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else { return nil }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { _ = close(fd) }
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return nil }
        let descriptor = FileDescriptor(fd)
        var out = ""
        for earlier in preamble { out += earlier + "\n" }
        do throws(RuntimeError) { try descriptor.writeAll(out + line + "\n") } catch { return nil }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while received.reduce(0, { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }) < preamble.count + 1 {
            var pollfd = CSupport.pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&pollfd, 1, timeoutMilliseconds) == 1 else { return nil }
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            guard count > 0 else { break }
            received += buffer[0..<count]
            if received.count > 4 << 20 { return nil }
        }
        let replies = received.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
            .map { String(decoding: $0, as: UTF8.self) }
        guard replies.count > preamble.count else { return nil }
        for reply in replies.prefix(preamble.count) where reply.containsText("\"error\"") { return reply }
        return replies[preamble.count]
    }
}
