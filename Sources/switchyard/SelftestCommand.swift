import CSupport
import Runtime

/// `switchyard selftest`: one line per check, a summary line, exit 0 only if all passed.
/// It runs on the device itself (and under qemu in CI), so each check exercises the real
/// thing: real threads, real files, the C libraries as linked into this binary.
enum SelftestCommand {
    struct Check {
        let name: String
        let run: () -> SelftestOutcome
    }

    static var checks: [Check] {[
        Check(name: "run loop", run: RuntimeSelftests.runLoop),
        Check(name: "ring across threads", run: RuntimeSelftests.ringAcrossThreads),
        Check(name: "config store", run: StoreSelftest.roundTrip),
        Check(name: "json", run: JSONSelftest.encodeDecode),
        Check(name: "openssl", run: LibrarySelftests.openssl),
        Check(name: "mosquitto", run: LibrarySelftests.mosquitto),
        Check(name: "curl", run: LibrarySelftests.curl),
        Check(name: "microhttpd", run: LibrarySelftests.microhttpd),
        Check(name: "serial, bluetooth, socketcan", run: LibrarySelftests.deviceLibraries),
    ]}

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

/// What one selftest check found.
enum SelftestOutcome {
    case passed(String)
    case failed(String)
}
