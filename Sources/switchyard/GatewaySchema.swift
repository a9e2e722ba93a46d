import Benchlab
import Board
import CAN
import Store

/// Every config key this firmware knows: the gateway-wide ones plus each module's own.
enum GatewaySchema {
    static var all: ConfigSchema {
        var schema = ConfigSchema.standard
        schema.register(BoardConfigKeys.all)
        schema.register(BenchlabConfigKeys.all)
        schema.register(CANConfigKeys.all)
        return schema
    }
}
