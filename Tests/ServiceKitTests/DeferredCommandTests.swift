import Runtime
import ServiceKit
import Testing

/// The registry's two ways to run a command: with a completion (every door), and the
/// synchronous call existing callers keep using.
@Suite("Commands that answer later")
struct DeferredCommandTests {
    private func registry(_ loop: EventLoop) -> CommandRegistry {
        let registry = CommandRegistry()
        registry.register(Command("now", help: "Answers at once.") { _ in .text("now") })
        registry.register(Command("soon", help: "Answers after a timer.", deferred: { _, answer in
            loop.after(.milliseconds(50)) { answer(.text("soon")) }
        }))
        registry.register(Command("quick", help: "Deferred, but answers at once.", deferred: { request, answer in
            answer(request.arguments.isEmpty ? .failure("no words") : .text(request.arguments.joined()))
        }))
        return registry
    }

    @Test("the completion gets the answer when it comes, once; immediate commands answer before execute returns")
    func completion() throws {
        let loop = try EventLoop()
        let registry = registry(loop)
        var answers: [CommandReply] = []
        registry.execute("soon", CommandRequest(origin: .rpc, arguments: [])) { answers.append($0) }
        #expect(answers.isEmpty)
        registry.execute("now", CommandRequest(origin: .rpc, arguments: [])) { answers.append($0) }
        #expect(answers == [.text("now")], "an immediate command answers inside execute")
        #expect(loop.run(timeout: 2) { answers.count == 2 })
        loop.run(timeout: 0.1) { false }
        #expect(answers == [.text("now"), .text("soon")])
        #expect(registry.answersLater("soon") && registry.answersLater("quick") && !registry.answersLater("now"))
        #expect(!registry.answersLater("missing"))
        var unknown: CommandReply?
        registry.execute("missing", CommandRequest(origin: .mqtt, arguments: [])) { unknown = $0 }
        #expect(unknown?.ok == false && unknown?.output.text.contains("unknown command") == true)
    }

    @Test("the synchronous call: a deferred command's immediate answer, or a failure saying it answers later")
    func synchronousCallers() throws {
        let loop = try EventLoop()
        let registry = registry(loop)
        #expect(registry.execute("quick", CommandRequest(origin: .console, arguments: ["a", "b"])) == .text("ab"))
        #expect(registry.execute("quick", CommandRequest(origin: .console, arguments: [])) == .failure("no words"))
        let later = registry.execute("soon", CommandRequest(origin: .console, arguments: []))
        #expect(!later.ok && later.output.text.contains("answers later"))
        #expect(registry.execute("now", CommandRequest(origin: .console, arguments: [])) == .text("now"))
    }
}
