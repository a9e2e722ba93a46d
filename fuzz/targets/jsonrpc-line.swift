// modules: Console
// Any line a TCP client sends to the RPC port: the dispatcher must answer (or stay silent
// for a notification) without crashing, and every reply must itself be one line of JSON.
import CSupport
import Console
import JSON
import Runtime
import Contracts
import Store

private let registry: CommandRegistry = {
    // Quiet even if the input runs `log level debug`: logging is not what is fuzzed.
    LogSettings.level = .critical
    if let devNull = try? FileDescriptor.open("/dev/null", flags: O_WRONLY) { LogSettings.output = devNull }
    let registry = CommandRegistry()
    // A directory that does not exist: nothing to load, and `save` fails instead of
    // leaving files behind.
    let store = ConfigStore(dataDirectory: "/nonexistent/switchyard-fuzz", environment: { _ in nil })
    ConfigCommands.register(in: registry, store: store)
    HelpCommand.register(in: registry)
    registry.register(Command("echo", help: "Echo the arguments as JSON.") { request in
        .json(.array(request.arguments.map { .string($0) }))
    })
    return registry
}()
private let dispatcher = JSONRPCDispatcher(registry: registry)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let line = Array(UnsafeBufferPointer(start: data, count: size))
    guard let reply = dispatcher.respond(to: line) else { return 0 }
    precondition(!reply.utf8.contains(0x0A), "a reply must be a single line")
    do throws(JSONError) { _ = try JSONValue.parse(reply) } catch {
        preconditionFailure("a reply must be JSON: " + error.description)
    }
    return 0
}
