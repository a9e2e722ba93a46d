import Foundation
import ServiceCatalog
import TestSupport
import Testing

/// Every subcommand, run with nothing configured (an empty data directory, no broker where
/// the settings point), ends within 10 s with an exit status and says why: none hangs
/// silently. The gateway-shaped ones (`run`, `supervise`, `bcms-daemon`) are meant to keep
/// running degraded: they must say so within 10 s and stop cleanly on SIGTERM.
@Suite("every subcommand with nothing configured", .serialized)
struct EveryCommandWithNothingTests {
    let binary = Products.executable("switchyard").path

    /// The invocations per command: bare, and each of its verbs. A command the catalogue
    /// gains must be added here (the first test fails until it is).
    static let invocations: [String: [[String]]] = [
        "selftest": [["selftest"]],
        "config": [["config"], ["config", "show"], ["config", "get"], ["config", "get", "mqtt.host"], ["config", "set"],
                   ["config", "unset"]],
        "version": [["version"]],
        "http": [["http"], ["http", "get"], ["http", "post"]],
        "can-tunnel": [["can-tunnel"], ["can-tunnel", "-S"], ["can-tunnel", "-b", "slcan"]],
        "bmw": [["bmw"], ["bmw", "login"], ["bmw", "credentials"], ["bmw", "status"], ["bmw", "catalogue"]],
        "bcms": [["bcms"], ["bcms", "list"], ["bcms", "approve"], ["bcms", "pair"], ["bcms", "mode"]],
        "ota": [["ota"], ["ota", "push"], ["ota", "status"]],
        // Nothing listens where --broker points: status gives up after its --timeout.
        "fleet": [["fleet"], ["fleet", "status", "--broker", "127.0.0.1:1", "--timeout", "3"], ["fleet", "rollout"]],
    ]
    /// Commands that run until signalled even when they cannot do their work.
    static let gatewayShaped: [[String]] = [["run"], ["supervise"], ["bcms-daemon"], ["bcms-daemon", "--bogus"]]

    private func environment(_ data: TemporaryDirectory) -> [String: String] {
        // Nothing listens on this port: the broker "configured" is not there.
        ["SWITCHYARD_DATA": data.path, "MQTT_BROKER": "127.0.0.1", "MQTT_PORT": String(FreePort.next()),
         "HOME": data.path, "BMW_CLIENT_ID": ""]
    }

    @Test func everyCatalogueCommandIsCovered() {
        let commands = ["run", "selftest", "config", "version", "http"]
            + ServiceCatalog.services.flatMap { $0.commands.map(\.name) }
        let covered = Set(Self.invocations.keys).union(Self.gatewayShaped.map { $0[0] })
        #expect(Set(commands).subtracting(covered).isEmpty, "not covered: \(Set(commands).subtracting(covered))")
    }

    @Test func eachEndsWithAStatusAndAMessage() throws {
        let data = TemporaryDirectory(prefix: "nothing")
        // The catalogue would otherwise come from the internet: point it at a closed port.
        #expect(ChildProcessConfig.set(["bmw.catalogue_url": "http://127.0.0.1:\(FreePort.next())/catalogue"],
                                       data: data.path))
        for arguments in Self.invocations.values.flatMap({ $0 }) {
            let output = data.file("out-" + arguments.joined(separator: "_"))
            let started = Date()
            let process = try Subprocess(binary, arguments, environment: environment(data), stdout: .file(output),
                                         stderr: .file(output))
            // `selftest` needs no settings; its ring check (a million items between two
            // threads) is bounded work that a loaded 2-core CI machine can stretch past 10 s.
            let limit: TimeInterval = arguments == ["selftest"] ? 60 : 10
            let ended = process.wait(timeout: limit)
            if ended == nil { process.signal(SIGKILL) }
            let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
            let took = Date().timeIntervalSince(started)
            #expect(ended != nil, "\(arguments) did not end within \(Int(limit)) s: \(text)")
            #expect(ended?.killedBySignal == false, "\(arguments) crashed: \(text)")
            #expect(!text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, "\(arguments) said nothing")
            if arguments == ["bmw", "login"] {
                #expect(ended?.status == 1 && text.contains("bmw.client_id"), "\(text)")
            }
            if arguments.first == "can-tunnel" {
                #expect(ended?.status == 1 && text.contains("127.0.0.1:"), "names the broker it tried: \(text)")
                #expect(took < 10)
            }
        }
    }

    @Test func gatewayShapedCommandsSayWhatTheyDoAndStopOnSIGTERM() throws {
        for arguments in Self.gatewayShaped {
            let data = TemporaryDirectory(prefix: "nothing")
            let output = data.file("out")
            let process = try Subprocess(binary, arguments, environment: environment(data), stdout: .file(output),
                                         stderr: .file(output))
            let read = { (try? String(contentsOfFile: output, encoding: .utf8)) ?? "" }
            // What each says first: the gateway its start, the supervisor what it supervises.
            let said = { read().contains("starting") || read().contains("supervising") }
            let deadline = Date().addingTimeInterval(10)
            while Date() < deadline && process.isRunning && !said() && !read().contains("unknown") {
                usleep(50_000)
            }
            if arguments.contains("--bogus") {
                let ended = process.wait(timeout: 10)
                #expect(ended?.status == 2, "\(read())")
                #expect(read().contains("unknown option --bogus"), "\(read())")
                continue
            }
            #expect(process.isRunning, "\(arguments) ended: \(read())")
            #expect(said(), "\(arguments) said nothing in 10 s: \(read())")
            process.signal(SIGTERM)
            let ended = process.wait(timeout: 10)
            if ended == nil { process.signal(SIGKILL) }
            #expect(ended?.status == 0, "\(arguments) after SIGTERM: \(String(describing: ended)) \(read())")
        }
    }
}
