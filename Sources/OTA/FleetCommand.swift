import CLI
import CSupport
import Runtime
import ServiceKit
import Uplink

/// `switchyard fleet status|rollout` (issue 30): the fleet seen and updated through the
/// broker alone, from its retained topics. No server of our own: the broker is the only
/// thing the gateways and the operator share.
enum FleetCommand {
    /// `fleet` in the `ota` service's descriptor.
    static var command: ServiceCommand {
        ServiceCommand("fleet", summary: "Fleets over the broker: status [--group G] | rollout --file F --key K --group G",
                       help: help) { arguments, _ throws(UsageError) in try main(arguments) }
    }

    static let help = """
    Usage: switchyard fleet status [--group G] [--json] [--broker HOST[:PORT]]
           switchyard fleet rollout --file IMAGE --key FILE --group G [--waves 1,10,50,100%]
                                    [--max-failures 5%] [--broker HOST[:PORT]] [options]

    status   Every gateway that reports on the broker (its retained state, status and
             ota/status topics): version, slot, board, uptime, online/offline (the last will),
             update state and last rollback. --group keeps the members of one group (ota.group);
             --json prints a list for scripts.
    rollout  Signs IMAGE for group G and rolls it out in waves: the first wave is the canary;
             each next one starts once every online gateway of the one before committed the
             image (healthy after its trial). The manifest is retained on
             switchyard/fleet/G/ota/manifest and names the wave's nodes, with a serial above
             the last one (a replay is refused); the image lies in retained chunks that each
             gateway fetches at its own pace, so an offline member updates when it returns.
             The campaign halts by itself, withdraws the manifest and exits 3 once refusals,
             failures and rollbacks pass --max-failures of the group. Its state is retained on
             switchyard/fleet/G/campaign: run the same command again, here or elsewhere, to
             resume; --force starts a halted campaign of the same image over.

    Options:
      --broker HOST[:PORT]  Broker (default localhost:1883; 8883 means TLS with the system CAs)
      --username USER       Broker login; the password comes from $MQTT_PASSWORD
      --client-id ID        MQTT client id (default switchyard-fleet-<random>)
      --timeout SECS        status: how long to wait for the broker's answer (default 10)
      --waves LIST          Cumulative percentages of the group per wave (default 1,10,50,100%)
      --max-failures PCT    Halt when more than PCT % of the group failed (default 5%)
      --version X.Y.Z       The image's version (default: read from its version stamp)
      --board NAME          Only gateways of this board.name take it
      --min-version X.Y.Z   Only gateways running this version or later take it
      --chunk-size BYTES    Bytes per retained chunk (default 65536)
      --expires DURATION    How long the manifests stay valid (default 30d; 1m to 365d)
      --wave-timeout SECS   Halt when a wave has not finished after this long (default 1800)
      --patch-from OLD      Also send a zstd patch from image OLD (what the gateways run now):
                            those running OLD fetch and apply it, the others the full image
      --patch-level N       zstd level of the patch, 1 to 19 (default 19)
    """

    static let valued: Set<String> = ["--group", "--broker", "--timeout", "--username", "--client-id", "--file", "--key", "--waves",
                                      "--max-failures", "--version", "--board", "--min-version", "--chunk-size",
                                      "--expires", "--wave-timeout", "--patch-from", "--patch-level"]

    static func main(_ arguments: [String]) throws(UsageError) -> Int32 {
        let parsed = try Arguments(arguments, valued: valued)
        if parsed.wantsHelp || parsed.positionals.isEmpty {
            Output.line(help)
            return parsed.wantsHelp ? 0 : 2
        }
        if let group = parsed.value("--group"), !OTATarget.isName(group) {
            throw UsageError("--group \(group): 1 to 64 letters, digits, '-', '_' or '.'")
        }
        switch parsed.positionals[0] {
        case "status": return try FleetStatus(parsed, broker: try OTABroker(parsed, clientPrefix: "switchyard-fleet-")).run()
        case "rollout": return try FleetRollout(parsed, broker: try OTABroker(parsed, clientPrefix: "switchyard-fleet-")).run()
        default: throw UsageError("unknown action \"\(parsed.positionals[0])\": use status or rollout")
        }
    }
}
