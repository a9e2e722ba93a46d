import CLI
import Store

/// What a service's subcommand gets from the binary that runs it, instead of importing the
/// executable: the whole settings schema (every service's keys, so a store it opens keeps and
/// checks them all) and a way to run the gateway itself.
public struct CLIEnvironment {
    /// Every key of this firmware, as `switchyard config keys` lists them.
    public let schema: ConfigSchema
    /// `switchyard run` with these arguments (`bcms-daemon` is the gateway with other flags).
    public let runGateway: ([String]) throws(UsageError) -> Int32

    public init(schema: ConfigSchema, runGateway: @escaping ([String]) throws(UsageError) -> Int32) {
        self.schema = schema
        self.runGateway = runGateway
    }
}

/// A subcommand a service contributes: `switchyard <name>`, with the binary's environment.
public typealias ServiceCommand = CLICommand<CLIEnvironment>
