import Foundation
import ServiceCatalog
import TestSupport
import Testing

@Suite("switchyard command line")
struct CommandLineTests {
    let binary = Products.executable("switchyard")

    @Test("help lists every subcommand; each subcommand has --help")
    func help() throws {
        let overview = try ChildProcess.run(binary, ["help"])
        #expect(overview.status == 0)
        for command in ["run", "selftest", "config", "version"] {
            #expect(overview.stdout.contains("  \(command) "))
            let own = try ChildProcess.run(binary, [command, "--help"])
            #expect(own.status == 0)
            #expect(own.stdout.contains("Usage: switchyard \(command)"))
        }
    }

    /// The command list is the catalogue's: the binary's own commands, then those the services
    /// declare in their descriptors. Each one listed answers `--help` with the same text as
    /// `help <command>`, and every service is listed with its summary.
    @Test("help lists the catalogue's commands and services; help <command> is <command> --help")
    func helpFromTheCatalogue() throws {
        let overview = try ChildProcess.run(binary, ["help"]).stdout
        let lines = overview.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        func section(_ title: String) -> [String] {
            guard let start = lines.firstIndex(where: { $0.hasPrefix(title) }) else { return [] }
            return lines[(start + 1)...].prefix { !$0.isEmpty }.compactMap { $0.split(separator: " ").first.map(String.init) }
        }
        let commands = section("Commands:")
        // The binary's own, then each service's in catalogue order: a new service's commands
        // show up without this test knowing them.
        let catalogue = ServiceCatalog.services
        let own: [String] = ["run", "selftest", "config", "version", "http"]
        let declared: [String] = catalogue.flatMap { $0.commands.map(\.name) }
        let expected: [String] = own + declared + ["help"]
        #expect(commands == expected, "\(overview)")
        #expect(Set(["can-tunnel", "bmw", "bcms", "bcms-daemon", "ota", "supervise"]).isSubset(of: commands),
                "the feature commands that moved into their modules are all still there")
        #expect(section("Services") == catalogue.map(\.name), "\(overview)")
        for command in commands where command != "help" {
            let own = try ChildProcess.run(binary, [command, "--help"])
            #expect(own.status == 0, "\(command) --help: \(own.status) \(own.stderr)")
            #expect(own.stdout.lowercased().contains("usage: "), "\(command) --help: \(own.stdout)")
            let topic = try ChildProcess.run(binary, ["help", command])
            #expect(topic.status == 0 && topic.stdout == own.stdout, "help \(command) differs from \(command) --help")
        }
    }

    @Test("a wrong command line exits 2 and says what to run")
    func usageErrors() throws {
        let unknown = try ChildProcess.run(binary, ["frobnicate"])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("switchyard help"))
        let badOption = try ChildProcess.run(binary, ["run", "--bogus"])
        #expect(badOption.status == 2)
        #expect(badOption.stderr.contains("unknown option --bogus"))
        let missingValue = try ChildProcess.run(binary, ["run", "--data"])
        #expect(missingValue.status == 2)
        #expect(missingValue.stderr.contains("--data needs a value"))
    }

    @Test("numbers on the command line beyond their range are usage errors, not a crash (issue 20)")
    func numberArgumentsInRange() throws {
        // Each of these trapped: `.seconds(n)` overflows its nanoseconds, the synthetic bus's
        // pacing its 64-bit product.
        let runs: [([String], String)] = [
            (["http", "get", "http://127.0.0.1:9/", "--timeout", "99999999999"], "--timeout needs whole seconds, 1 to 86400"),
            (["http", "get", "http://127.0.0.1:9/", "--timeout", "0"], "--timeout needs whole seconds, 1 to 86400"),
            (["can-tunnel", "-b", "synthetic", "-H", "127.0.0.1", "-P", "9", "--stats-interval", "99999999999"],
             "--stats-interval 99999999999: a whole number from 0 to 86400"),
            (["can-tunnel", "-b", "synthetic", "-H", "127.0.0.1", "-P", "9", "--rate", "999999999999999"],
             "--rate 999999999999999: a whole number from 0 to 100000000"),
            (["can-tunnel", "-b", "synthetic", "-P", "4294967297"], "-P 4294967297: a whole number from 1 to 65535"),
        ]
        for (arguments, message) in runs {
            let result = try ChildProcess.run(binary, arguments)
            #expect(result.status == 2, "\(arguments): \(result.status) \(result.stderr)")
            #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
        }
    }

    @Test("selftest passes every check and says so in its summary")
    func selftest() throws {
        let result = try ChildProcess.run(binary, ["selftest"])
        #expect(result.status == 0, "\(result.stdout)")
        #expect(!result.stdout.contains("FAIL"))
        // The modules' own checks: the libraries below the services, then each service's.
        let names = result.stdout.split(separator: "\n").filter { $0.hasPrefix("ok    ") }
            .compactMap { $0.dropFirst(6).split(separator: ":").first.map(String.init) }
        #expect(names == ["run loop", "ring across threads", "config store", "json", "openssl", "mosquitto", "curl",
                          "serial", "socketcan", "bluetooth", "microhttpd"], "\(result.stdout)")
        #expect(result.stdout.contains("selftest: \(names.count) passed, 0 failed"))
    }

    @Test("config set validates, persists, masks secrets and honours the environment")
    func configRoundTrip() throws {
        let data = TemporaryDirectory()
        let set = try ChildProcess.run(binary, ["config", "set", "mqtt.port", "1884", "--data", data.path])
        #expect(set.status == 0)
        #expect(set.stdout.contains("mqtt.port = 1884  (user)"))
        let get = try ChildProcess.run(binary, ["config", "get", "mqtt.port", "--data", data.path])
        #expect(get.stdout == "mqtt.port = 1884  (user)\n")

        let bad = try ChildProcess.run(binary, ["config", "set", "mqtt.port", "99999", "--data", data.path])
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("mqtt.port: \"99999\" is not allowed: an integer from 1 to 65535"))
        // A negative number is the value, not an option: the store says what is allowed.
        let negative = try ChildProcess.run(binary, ["config", "set", "mqtt.port", "-1", "--data", data.path])
        #expect(negative.status == 1)
        #expect(negative.stderr.contains("mqtt.port: \"-1\" is not allowed: an integer from 1 to 65535"),
                "\(negative.stderr)")
        let ring = try ChildProcess.run(binary, ["config", "set", "can.ring_capacity", "3", "--data", data.path])
        #expect(ring.status == 1 && ring.stderr.contains("a power of two"))
        for topic in ["#", "a/+/b", ""] {
            let refused = try ChildProcess.run(binary, ["config", "set", "can.topic", topic, "--data", data.path])
            #expect(refused.status == 1 && refused.stderr.contains("without '+', '#'"), "topic \(topic)")
        }

        _ = try ChildProcess.run(binary, ["config", "set", "mqtt.password", "s3cr3t-pw", "--data", data.path])
        let show = try ChildProcess.run(binary, ["config", "show", "--data", data.path])
        #expect(show.stdout.contains("mqtt.password = ***  (user)"))
        #expect(!show.stdout.contains("s3cr3t-pw"))

        let env = try ChildProcess.run(binary, ["config", "get", "mqtt.port", "--data", data.path],
                                       environment: ["MQTT_PORT": "2883"])
        #expect(env.stdout.contains("mqtt.port = 2883  (env)"))

        let unknown = try ChildProcess.run(binary, ["config", "get", "mqtt.hots", "--data", data.path])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("mqtt.host"), "suggests the closest key")
    }

    @Test("WebSockets transport is refused when set, saying what is allowed, and nothing is saved")
    func websocketsRefused() throws {
        let data = TemporaryDirectory()
        let result = try ChildProcess.run(binary, ["config", "set", "mqtt.transport", "websockets", "--data", data.path])
        #expect(result.status == 1)
        #expect(result.stderr.contains("mqtt.transport"))
        #expect(result.stderr.contains("one of tcp"))
        let show = try ChildProcess.run(binary, ["config", "get", "mqtt.transport", "--data", data.path])
        #expect(show.stdout.contains("mqtt.transport = tcp  (default)"))
    }
}
