import Console
import Runtime
import ServiceKit
import Store

extension BLEService {
    /// The Cap'n Proto door when `ble.capnp` asks for it and the RPC port is bound to
    /// loopback; nil (and why, logged) otherwise. The original protocol has no token, so it
    /// must not be reachable from the network.
    static func makeCapnpDoor(context: ServiceContext, log: Logger) -> BCMSCapnpDoor? {
        guard context.isEnabled, context.store.value(BLEConfigKeys.capnp) else { return nil }
        let bind = context.store.value(StandardKeys.rpcBind)
        guard RPCToken.isLoopback(bind) else {
            log.error("BCMS Cap'n Proto not served: rpc.bind " + bind + " is not a loopback address, and the original "
                      + "protocol has no authentication (set rpc.bind to 127.0.0.1, or ble.capnp to false)")
            return nil
        }
        log.info("BCMS Cap'n Proto served on the RPC port (" + bind + ":" + String(context.store.value(StandardKeys.rpcPort))
                 + ") beside JSON-RPC, loopback clients only")
        return BCMSCapnpDoor(loop: context.loop)
    }
}

extension Command {
    /// This command with `door` offered on the RPC port (nil: none).
    func servingStream(_ door: ByteStreamDoor?) -> Command {
        var command = self
        command.streamDoor = door
        return command
    }
}
