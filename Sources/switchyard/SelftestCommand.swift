import CLI
import Crypto
import HTTPClient
import JSON
import Runtime
import SerialPort
import ServiceKit
import Store
import Uplink

/// `switchyard selftest`: one line per check, a summary line, exit 0 only if all passed.
/// It runs on the device itself (and under qemu in CI), so each check exercises the real
/// thing: real threads, real files, the C libraries as linked into this binary. The checks
/// come from the modules that own what they check: the libraries below the services, then
/// each service's descriptor in catalogue order.
enum SelftestCommand {
    static var command: ServiceCommand {
        ServiceCommand("selftest", summary: "Check the run loop, rings, config store, JSON and the C libraries",
                       help: HelpText.selftest) { arguments, _ throws(UsageError) in try main(arguments) }
    }

    static var checks: [SelftestCheck] {
        var checks = RuntimeSelftests.checks + StoreSelftests.checks + JSONSelftests.checks + CryptoSelftests.checks
            + UplinkSelftests.checks + HTTPClientSelftests.checks + SerialPortSelftests.checks
        for service in ServiceCatalog.services { checks += service.selftests }
        return checks
    }

    static func main(_ arguments: [String]) throws(UsageError) -> Int32 {
        let parsed = try Arguments(arguments, valued: [])
        if parsed.wantsHelp {
            Output.line(HelpText.selftest)
            return 0
        }
        let clock = MonotonicClock()
        var passed = 0, failed = 0
        for check in checks {
            let started = clock.now()
            let outcome = check.run()
            let took = (clock.now() - started).millisecondsText
            switch outcome {
            case .passed(let detail):
                passed += 1
                Output.line("ok    \(check.name): \(detail) (\(took) ms)")
            case .failed(let reason):
                failed += 1
                Output.line("FAIL  \(check.name): \(reason) (\(took) ms)")
            }
        }
        Output.line("selftest: \(passed) passed, \(failed) failed")
        return failed == 0 ? 0 : 1
    }
}
