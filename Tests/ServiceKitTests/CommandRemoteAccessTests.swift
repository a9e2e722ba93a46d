import JSON
import Runtime
import ServiceKit
import TestSupport
import Testing

/// The command side of the MQTT door's allowlist: a command runs for an untrusted caller
/// (MQTT without cmnd.allow_privileged) only in the forms its declaration opens, and a
/// command that declares nothing is closed.
@Suite("Commands over an untrusted door: default deny")
struct CommandRemoteAccessTests {
    /// A registry whose commands record whether their handler ran.
    private final class Rig {
        let registry = CommandRegistry()
        var ran: [String] = []

        init() {
            registry.register(Command("plain", help: "Declares nothing.") { [self] request in
                self.ran.append("plain " + request.arguments.joined(separator: " "))
                return .text("done")
            })
            registry.register(Command("reader", help: "Only reads.", remote: .always) { [self] _ in
                self.ran.append("reader")
                return .text("read")
            })
            registry.register(Command("svc", usage: "status|list|abort|find TEXT|search WORDS",
                                      help: "A service's subcommands.",
                                      remote: .readOnly(["", "status", "list *", "find *", "search ..."])) { [self] request in
                self.ran.append("svc " + request.arguments.joined(separator: " "))
                return .text("svc")
            })
            registry.register(Command("later", help: "Deferred, declares nothing.", deferred: { [self] _, answer in
                self.ran.append("later")
                answer(.text("later"))
            }))
        }

        func run(_ name: String, _ words: [String], trusted: Bool = false, parameters: JSONObject? = nil) -> CommandReply {
            var reply: CommandReply?
            registry.execute(name, CommandRequest(origin: .mqtt, arguments: words, parameters: parameters,
                                                  allowsPrivileged: trusted)) { reply = $0 }
            return reply ?? .failure("no answer")
        }
    }

    @Test("a command that declares nothing is closed to the untrusted door, immediate or deferred")
    func defaultIsDenied() {
        let command = Command("new", help: "Someone's new command.") { _ in .text("x") }
        #expect(command.remote == .denied)
        let deferred = Command("new", help: "Someone's new command.", deferred: { _, answer in answer(.text("x")) })
        #expect(deferred.remote == .denied)
        #expect(!CommandRemoteAccess.denied.permits(CommandRequest(origin: .mqtt, arguments: [])))

        let rig = Rig()
        let (_, lines) = LogCapture.lines {
            for (name, words) in [("plain", []), ("plain", ["abort"]), ("later", [])] as [(String, [String])] {
                let reply = rig.run(name, words)
                #expect(!reply.ok, "\(name) \(words)")
                #expect(reply.output.text.contains("cmnd.allow_privileged"), "\(reply.output.text)")
            }
        }
        #expect(rig.ran.isEmpty, "no handler ran: \(rig.ran)")
        #expect(rig.registry.refusals == 3)
        // One line per command (the second `plain` falls under the first's rate limit).
        let refusals = lines.filter { $0.contains("refused over mqtt: ") }
        #expect(refusals.count == 2, "\(lines)")
        #expect(refusals.first?.contains("refused over mqtt: plain (needs the console, RPC or cmnd.allow_privileged)") == true)
        #expect(refusals.last?.contains("refused over mqtt: later") == true)
        // Trusted (the console, authenticated RPC, MQTT with the allowance): everything runs.
        #expect(rig.run("plain", ["abort"], trusted: true).ok)
        #expect(rig.run("later", [], trusted: true).ok)
        #expect(rig.ran == ["plain abort", "later"])
        #expect(CommandRequest(origin: .mqtt, arguments: []).allowsPrivileged == false, "MQTT is untrusted by default")
        #expect(CommandRequest(origin: .console, arguments: []).allowsPrivileged)
    }

    @Test("readOnly opens exactly the listed forms: none, one word, * for a word, ... for the rest")
    func readOnlyForms() {
        let rig = Rig()
        let open: [[String]] = [[], ["status"], ["list", "--all"], ["find", "x"], ["search"], ["search", "two", "words"]]
        let closed: [[String]] = [["abort"], ["status", "now"], ["list"], ["find"], ["find", "a", "b"], ["Status"],
                                  ["abort", "status"]]
        _ = LogCapture.lines {
            for words in open { #expect(rig.run("svc", words).ok, "\(words)") }
            for words in closed {
                let reply = rig.run("svc", words)
                #expect(!reply.ok, "\(words)")
                #expect(reply.output.text.contains("MQTT: (no arguments), status, list *"), "\(reply.output.text)")
            }
            // Named parameters could carry a subcommand no pattern looks at.
            #expect(!rig.run("svc", [], parameters: ["method": "abort"]).ok)
            #expect(rig.run("reader", ["anything", "at", "all"]).ok)
        }
        #expect(rig.ran.count == open.count + 1)
        #expect(rig.registry.refusals == closed.count + 1)
    }

    @Test("help shows what each command opens to MQTT")
    func helpShowsTheRule() {
        let rig = Rig()
        let all = rig.registry.helpText()
        #expect(all.contains("Only reads. [MQTT: every form]"))
        #expect(all.contains("A service's subcommands. [MQTT: (no arguments), status, list *, find *, search ...]"))
        #expect(!all.contains("Declares nothing. ["), "a closed command carries no MQTT tag")
        #expect(all.contains("cmnd.allow_privileged"))
        #expect(rig.registry.helpText(for: "plain").contains("MQTT: nothing without cmnd.allow_privileged"))
    }

    @Test("a flood of refusals is counted in full but logged at most once a minute per command")
    func refusalsAreRateLimited() {
        let rig = Rig()
        let (_, lines) = LogCapture.lines {
            for _ in 0..<100 { _ = rig.run("plain", ["abort"]) }
        }
        #expect(rig.registry.refusals == 100)
        #expect(lines.filter { $0.contains("refused over mqtt") }.count == 1, "\(lines)")
    }
}
